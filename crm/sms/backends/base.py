"""The sender contract: what the outbox asks of any SMS provider, and how a provider fails.

A provider module translates its own errors into `SendError`: permanent (the number
or the text is refused; retrying cannot help), transient (try again later: nothing
was accepted) or `maybe_sent` (the request left and no answer came back, so only the
provider's log can tell).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    to: str
    body: str


@dataclass(frozen=True)
class Report:
    """What the provider knows of one message."""

    provider_id: str
    status: str  # our vocabulary: sent, delivered, undelivered, failed
    error_code: str | None = None
    error_message: str | None = None
    segments: int | None = None
    price: float | None = None  # what it cost, positive
    price_unit: str | None = None
    created_at: datetime | None = None
    number_problem: str | None = None  # "invalid" or "opted_out": act on the customer


@dataclass(frozen=True)
class Inbound:
    provider_id: str
    from_phone: str
    to_phone: str | None
    body: str
    received_at: datetime


class SendError(Exception):
    """A provider refused or did not answer; the flags say what the outbox does next."""

    def __init__(
        self,
        message: str,
        code: str | None = None,
        permanent: bool = False,
        maybe_sent: bool = False,
        fatal: bool = False,
        number_problem: str | None = None,
    ):
        super().__init__(message)
        self.code, self.permanent, self.maybe_sent = code, permanent, maybe_sent
        self.fatal = fatal  # every message would fail the same way (bad credentials)
        self.number_problem = number_problem  # "invalid" or "opted_out"


class Unknown(Exception):
    """The provider's log cannot say whether a message was sent."""


class Sender(Protocol):
    name: str

    def send(self, message: Outgoing) -> Report:
        """Hand one message over; raise SendError when it was not accepted."""

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        """The provider's record of a message claimed at `claimed_at`; None when it has
        certainly none; raise Unknown when it cannot tell."""

    def status(self, provider_id: str) -> Report:
        """The message's current state at the provider."""

    def inbound(self, since: datetime) -> list[Inbound]:
        """Replies received since `since` (empty where the route carries none)."""

"""The sender contract: what the outbox asks of any SMS provider, and what a provider answers.

A provider's folder translates its own answers and errors into one `Verdict`: sent,
failed for good (the number or the text is refused; retrying cannot help), retry later
(nothing was accepted), maybe sent (the request left and no answer came back, so only
the provider's log can tell) or stop the run (every message would fail alike: the
account, the sender number, the address).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    to: str
    body: str
    kind: str = ""  # the outbox row's kind: a template provider finds its approved text by it


@dataclass(frozen=True)
class TemplateRules:
    """What a template provider (Aliyun, Tencent) requires of an approved template."""

    provider: str  # its name in sentences: Aliyun, Tencent
    slot_style: str  # "aliyun" for ${name} slots, "tencent" for {1}
    min_characters: int  # a slot's value, at least
    max_characters: int  # a slot's value, at most
    limit_setting: str  # the config key of max_characters, named when it is exceeded
    opt_out: str  # what a marketing template must end with
    sign_name: str  # the registered signature; empty when not configured
    sign_setting: str  # the config key of the signature


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
class PushedReport:
    """A delivery report a provider pushed to us: how to find its row, and what it says."""

    phone: str  # E.164
    provider_key: str  # the row's provider_sid, or what it starts with (Aliyun's BizId + ":")
    report: Report


class BadPush(ValueError):
    """A pushed payload that is not what the provider sends; the sentence says what is wrong."""


@dataclass(frozen=True)
class Inbound:
    provider_id: str
    from_phone: str
    to_phone: str | None
    body: str
    received_at: datetime


class Verdict(StrEnum):
    """What the outbox does with a provider's answer to one message."""

    SENT = "sent"  # accepted: the report says with which id and at what price
    FAILED = "failed"  # this message can never go (the number, the text); others go on
    RETRY_LATER = "retry_later"  # nothing was accepted: try again after a while
    MAYBE_SENT = "maybe_sent"  # it left and no answer came: the provider's log will tell
    STOP_RUN = "stop_run"  # every message would fail alike: keep them queued, stop


@dataclass(frozen=True)
class Answer:
    """A provider's answer to one send: one verdict, and what the provider said."""

    verdict: Verdict
    text: str = ""  # the error in words, for the outbox and the log
    code: str | None = None  # the provider's error code
    number_problem: str | None = None  # FAILED for the number's sake: "invalid", "opted_out"
    report: Report | None = None  # SENT: the provider's record of the message
    # RETRY_LATER that is no attempt of ours: "later" (the provider's per-number rate) or
    # "tomorrow" (the number's daily allowance at the provider is used up).
    wait: str | None = None

    def __str__(self) -> str:
        return self.text


def sent(report: Report) -> Answer:
    return Answer(Verdict.SENT, report=report)


class ProviderError(Exception):
    """Reading from a provider failed (a status, the replies); the verdict says whether the
    next message may fare better (RETRY_LATER) or every one would fail alike (STOP_RUN)."""

    def __init__(self, answer: Answer):
        super().__init__(answer.text)
        self.answer = answer

    @property
    def verdict(self) -> Verdict:
        return self.answer.verdict


class Unknown(Exception):
    """The provider's log cannot say whether a message was sent."""


class Sender(Protocol):
    name: str

    def send(self, message: Outgoing) -> Answer:
        """Hand one message over; the answer's verdict says what became of it."""

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        """The provider's record of a message claimed at `claimed_at`; None when it has
        certainly none; raise Unknown when it cannot tell."""

    def status(self, provider_id: str, to: str, sent_at: datetime | None) -> Report:
        """The message's current state at the provider; raise ProviderError when unreadable."""

    def inbound(self, since: datetime) -> list[Inbound]:
        """Replies received since `since` (empty where the route carries none); raise
        ProviderError when unreadable."""

"""The console sender: each message printed to a stream, and accepted."""

from __future__ import annotations

import sys
from datetime import datetime

from crm.clock import utcnow
from crm.sms import segments
from crm.sms.providers.base import Answer, Inbound, Outgoing, Report, sent


class ConsoleSender:
    name = "console"

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr

    def send(self, message: Outgoing) -> Answer:
        print(f"[sms to {message.to}] {message.body}", file=self.stream, flush=True)
        return sent(
            Report(
                f"console-{message.message_id}",
                "sent",
                segments=segments.count(message.body).segments,
                created_at=utcnow(),
            )
        )

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        # Nothing was ever sent, so printing it again costs nothing and loses nothing.
        return None

    def status(self, provider_id: str, to: str = "", sent_at: datetime | None = None) -> Report:
        return Report(provider_id, "sent")

    def inbound(self, since: datetime) -> list[Inbound]:
        return []

"""What one run of the outbox claims, and what became of each message and of the run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from crm.sms.providers.base import Answer, Outgoing, Verdict

# What a message still waiting in the pool gets when another one stopped the run.
STOPPED = Answer(Verdict.STOP_RUN, "not sent: the run stopped")
# What a message gets when another process settled its claim while it waited: not ours.
CLAIM_LOST = Answer(Verdict.RETRY_LATER, "not sent: another process took over the claim")


@dataclass(frozen=True)
class Claimed:
    id: int
    store_id: int
    customer_id: int
    category: str
    kind: str
    to_phone: str
    body: str
    claimed_at: datetime  # when this run claimed it: the day its daily slot was taken
    lease: datetime  # claimed_at in the row now: renewed before each attempt

    @property
    def outgoing(self) -> Outgoing:
        return Outgoing(self.id, self.to_phone, self.body, self.kind)


@dataclass
class Outcome:
    message: Claimed
    answer: Answer = STOPPED  # until the provider answers
    attempts: int = 0


@dataclass
class DispatchResult:
    counts: Counter = field(default_factory=Counter)
    closed_stores: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (a provider's STOP_RUN)

    @property
    def exit_code(self) -> int:
        unfinished = ("failed", "retry_later", "awaiting_reconciliation")
        return 1 if self.stopped or any(self.counts[k] for k in unfinished) else 0

    def as_json(self) -> dict:
        return {
            **{k: self.counts[k] for k in ("sent", "failed", "retry_later")},
            **{k: v for k, v in sorted(self.counts.items()) if k not in ("sent",)},
            "outside_window": self.closed_stores,
            "stopped": self.stopped,
        }

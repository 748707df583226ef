"""Dispatching the outbox: claim what is due, hand it to the provider, record what became of it.

Crash-safe by construction:
1. A row is claimed (a conditional UPDATE queued → sending, committed) before the
   provider hears of it; a second sender's UPDATE finds nothing to claim.
2. The provider is called outside any transaction, from a small thread pool, paced.
3. Just before each provider call the claim's lease is renewed (a conditional UPDATE
   on the lease we hold). A row that waited in the pool so long that another process
   reconciled it, re-queued it and maybe claimed it again is no longer ours: it is not
   sent, and nothing is written to it.
4. The answer is written back onto our lease only. A process killed between 3 and 4
   leaves the row in `sending`, which only `reconcile` (the provider's log) may resolve.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, exists, select, update
from sqlmodel import Session

from crm.clock import utcnow
from crm.config import SmsSettings
from crm.models import Customer, SmsCategory, SmsStatus, Store
from crm.models.base import UTCDateTime
from crm.sms import eligibility, policy
from crm.sms.claimed import CLAIM_LOST, STOPPED, Claimed, DispatchResult, Outcome
from crm.sms.pacing import Pacer, backoff
from crm.sms.providers.base import Answer, Sender, Verdict
from crm.sms.verdicts import act_on_number, mark_sent

MESSAGES = policy.MESSAGES
BATCH = 200  # rows claimed at a time; a process killed mid-batch leaves at most this many
# A claimed row must reach the provider long before another process may reconcile it:
# claim no more than the pace sends in this many seconds.
CLAIM_AHEAD_SECONDS = 10


class Dispatcher:
    """One run of `crm sms send`: due rows to the provider, `limit` at most."""

    def __init__(
        self,
        session: Session,
        settings: SmsSettings,
        sender: Sender,
        progress=None,
        store_ids: list[int] | None = None,
    ):
        self.session, self.settings, self.sender = session, settings, sender
        self.engine = session.get_bind()  # the workers renew leases on their own connections
        self.store_ids = store_ids  # None: every store
        self.zones = {
            sid: zone
            for sid, zone in policy.store_zones(session).items()
            if store_ids is None or sid in store_ids
        }
        self.codes = dict(session.execute(select(Store.id, Store.code)).all())
        self.pacer = Pacer(settings.rate_per_second)
        self.stop = threading.Event()
        self.progress = progress or (lambda done: None)
        self.result = DispatchResult()
        ahead = int(settings.rate_per_second * CLAIM_AHEAD_SECONDS)
        self.batch = max(2 * settings.concurrency, min(BATCH, ahead))
        # A provider that takes many numbers a call (Aliyun, Tencent) gets them in chunks;
        # its per-number daily allowance is counted before sending.
        self.per_call = getattr(sender, "batch_size", 1)
        self.number_limit = getattr(sender, "daily_limit_per_number", None)
        self.numbers_used: dict[str, int] = {}

    def run(self, limit: int | None = None) -> DispatchResult:
        now = utcnow()
        for reason, n in policy.expire_and_cancel(self.session, now, self.store_ids).items():
            self.result.counts[reason] += n
        policy.forget_old_fingerprints(self.session, now)
        self.session.commit()
        remaining = limit if limit is not None else float("inf")
        pending, done_count, exhausted = set(), 0, False
        with ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="sms") as pool:
            while True:
                # Refill when half the batch is done: one claim query per half batch.
                room = min(self.batch - len(pending), remaining)
                if not exhausted and not self.stop.is_set() and len(pending) <= self.batch // 2:
                    claimed = self.claim(int(room))
                    exhausted = claimed is None
                    remaining -= len(claimed or ())
                    pending |= {pool.submit(self.deliver, chunk) for chunk in self.chunks(claimed)}
                    if claimed == [] and not pending:
                        continue  # the whole batch was put aside (cap, repeats): claim on
                if not pending:
                    break
                done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                if pending and len(done) < 10:
                    # Let a few more answers arrive: one commit for several messages.
                    more, pending = wait(pending, timeout=0.02)
                    done |= more
                self.record([outcome for future in done for outcome in future.result()])
                done_count += len(done)
                self.progress(done_count)
        return self.result

    def open_stores(self, now: datetime) -> list[int]:
        window = self.settings.window
        open_ids = [sid for sid, zone in self.zones.items() if policy.in_window(now, zone, window)]
        self.result.closed_stores = sorted(
            self.codes[sid] for sid in self.zones if sid not in open_ids
        )
        return open_ids

    def claim(self, size: int) -> list[Claimed] | None:
        """Claim up to `size` due rows, then apply the cap and the repeat guard to them.

        Returns the rows to send; None when nothing at all was due.
        """
        now = utcnow()
        open_ids = self.open_stores(now)
        if not open_ids:
            return None
        priority = case(
            (MESSAGES.c.category == SmsCategory.SERVICE, 0),
            *((MESSAGES.c.kind == kind, rank) for kind, rank in policy.PRIORITY.items()),
            else_=9,
        )
        due = (
            select(MESSAGES.c.id)
            .where(
                MESSAGES.c.status == SmsStatus.QUEUED,
                MESSAGES.c.store_id.in_(open_ids),
                (MESSAGES.c.not_before.is_(None)) | (MESSAGES.c.not_before <= now),
                (MESSAGES.c.expires_at.is_(None)) | (MESSAGES.c.expires_at > now),
                ALLOWED,
            )
            .order_by(priority, MESSAGES.c.id)
            .limit(size)
            # Several workers send at once on PostgreSQL: each takes rows no other holds,
            # rather than queueing behind another's claim (SQLite has one writer anyway).
            .with_for_update(skip_locked=True)
        )
        ids = list(self.session.execute(due).scalars())
        if not ids:
            return None
        won = self.session.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id.in_(ids), MESSAGES.c.status == SmsStatus.QUEUED)
            .values(
                status=SmsStatus.SENDING,
                claimed_at=now,
                send_attempts=MESSAGES.c.send_attempts + 1,
                updated_at=now,
            )
            .returning(
                MESSAGES.c.id,
                MESSAGES.c.store_id,
                MESSAGES.c.customer_id,
                MESSAGES.c.category,
                MESSAGES.c.kind,
                MESSAGES.c.to_phone,
                MESSAGES.c.body,
            )
        ).all()
        order = {message_id: n for n, message_id in enumerate(ids)}
        if self.number_limit:
            phones = {row.to_phone for row in won}
            self.numbers_used = policy.numbers_used_today(
                self.session, phones, now, {row.id for row in won}
            )
        claimed = []
        for row in sorted(won, key=lambda r: order[r.id]):
            message = Claimed(*row, claimed_at=now, lease=now)
            if self.guard(message, now):
                claimed.append(message)
        self.session.commit()
        return claimed

    def guard(self, message: Claimed, now: datetime) -> bool:
        """The daily cap (marketing) and the 24-hour repeat guard; False puts the row aside."""
        zone = self.zones[message.store_id]
        marketing = message.category == SmsCategory.MARKETING
        day = policy.local_day(now, zone)
        if self.number_limit:
            used = self.numbers_used.get(message.to_phone, 0)
            if used >= self.number_limit:
                # The provider would refuse it today: it waits (a greeting expires).
                tomorrow = policy.provider_day(now)[1]
                self.set(
                    message, SmsStatus.QUEUED, not_before=tomorrow, error_message="number_limit"
                )
                self.result.counts["deferred_number_limit"] += 1
                return False
            self.numbers_used[message.to_phone] = used + 1
        if marketing and not policy.take_daily_slot(
            self.session, message.customer_id, day, self.settings.max_per_customer_per_day
        ):
            tomorrow = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
            self.set(message, SmsStatus.QUEUED, not_before=tomorrow, error_message="daily_cap")
            self.result.counts["deferred_daily_cap"] += 1
            return False
        if not policy.take_fingerprint(
            self.session, message.id, message.to_phone, message.body, now
        ):
            if marketing:
                policy.give_back_daily_slot(self.session, message.customer_id, day)
            self.set(message, SmsStatus.CANCELLED, error_message="same_text_within_24h")
            self.result.counts["same_text_within_24h"] += 1
            return False
        return True

    def chunks(self, claimed: list[Claimed] | None) -> list[list[Claimed]]:
        """The claimed rows in the provider's call sizes (one each for Twilio)."""
        rows = claimed or []
        # Enough chunks to keep every worker busy, none larger than a provider's call.
        size = max(1, min(self.per_call, -(-len(rows) // self.settings.concurrency)))
        return [rows[start : start + size] for start in range(0, len(rows), size)]

    def deliver(self, messages: list[Claimed]) -> list[Outcome]:
        """Runs in a worker thread: renew the leases, send (a batch call when there are
        several), retry the transient errors."""
        outcomes = [Outcome(message) for message in messages]
        todo = outcomes
        for attempt in range(1, self.settings.retries + 2):
            if self.stop.is_set():
                for outcome in todo:
                    outcome.answer = STOPPED
                return outcomes
            self.pacer.wait()
            live = []
            lease, ours = self.renew([outcome.message for outcome in todo])
            for outcome in todo:
                if outcome.message.id not in ours:
                    outcome.answer = CLAIM_LOST
                    continue
                outcome.message = replace(outcome.message, lease=lease)
                outcome.attempts = attempt
                live.append(outcome)
            if len(live) == 1:
                answers = [self.sender.send(live[0].message.outgoing)]
            elif live:
                answers = self.sender.send_batch([o.message.outgoing for o in live])
            else:
                return outcomes
            for outcome, answer in zip(live, answers, strict=True):
                outcome.answer = answer
            if any(answer.verdict == Verdict.STOP_RUN for answer in answers):
                self.stop.set()
            # A provider's per-number limit is no error of ours: it waits, not retried now.
            todo = [
                o for o in live if o.answer.verdict == Verdict.RETRY_LATER and not o.answer.wait
            ]
            if not todo:
                return outcomes
            if attempt <= self.settings.retries:
                time.sleep(backoff(self.settings.retry_backoff_seconds, attempt))
        return outcomes

    def renew(self, messages: list[Claimed]) -> tuple[datetime, set[int]]:
        """Move our leases to now, just before a provider call; returns the new lease and
        the ids still ours (one transaction for a whole batch call).

        The reconciler judges a row by its lease's age, so a row that waited in the pool
        (or between retries) is never judged while its request may be in flight: the
        lease is at most one attempt (connect + read timeout) old during any call.
        """
        now, ours = utcnow(), set()
        with self.engine.begin() as connection:
            for message in messages:
                values = {"_id": message.id, "_ours": message.lease, "_lease": now, "_now": now}
                if connection.execute(RENEW, values).rowcount == 1:
                    ours.add(message.id)
        return now, ours

    def record(self, outcomes: list[Outcome]) -> None:
        now = utcnow()
        accepted = [
            (o.message.id, o.message.lease, o.answer.report, o.message.body)
            for o in outcomes
            if o.answer.verdict == Verdict.SENT
        ]
        mark_sent(self.session, accepted, now)
        self.result.counts["sent"] += len(accepted)
        for outcome in outcomes:
            message, answer = outcome.message, outcome.answer
            if answer.verdict == Verdict.SENT:
                continue
            if answer is CLAIM_LOST:
                # Another process settled it (and gave back its daily slot): not ours to touch.
                self.result.counts["claim_lost"] += 1
            elif answer.verdict == Verdict.MAYBE_SENT:
                self.set(message, SmsStatus.SENDING, answer=answer)
                self.result.counts["awaiting_reconciliation"] += 1
            elif answer.verdict == Verdict.STOP_RUN:
                # Never sent: back in the queue as it was, without counting an attempt.
                self.release(message)
                attempts = MESSAGES.c.send_attempts - 1
                if answer is STOPPED:
                    self.set(message, SmsStatus.QUEUED, send_attempts=attempts)
                else:
                    self.set(message, SmsStatus.QUEUED, answer=answer, send_attempts=attempts)
                    self.result.stopped = self.result.stopped or str(answer)
            elif answer.verdict == Verdict.FAILED:
                self.release(message)
                self.set(message, SmsStatus.FAILED, answer=answer)
                act_on_number(self.session, message, answer.number_problem, answer.code, now)
                self.result.counts["failed"] += 1
            else:
                self.release(message)
                self.retry_later(message, answer, now)
        self.session.commit()

    def retry_later(self, message: Claimed, answer: Answer, now: datetime) -> None:
        if answer.wait:
            # The number's allowance at the provider: it waits, and no attempt is counted.
            later = now + timedelta(minutes=self.settings.retry_later_minutes)
            if answer.wait == "tomorrow":
                later = policy.provider_day(now)[1]
            attempts = MESSAGES.c.send_attempts - 1
            self.set(message, SmsStatus.QUEUED, answer, not_before=later, send_attempts=attempts)
            self.result.counts["deferred_number_limit"] += 1
            return
        attempts = self.session.execute(
            select(MESSAGES.c.send_attempts).where(MESSAGES.c.id == message.id)
        ).scalar_one()
        if attempts >= self.settings.max_attempts:
            self.set(message, SmsStatus.FAILED, answer=answer)
            self.result.counts["failed"] += 1
            return
        later = now + timedelta(minutes=self.settings.retry_later_minutes)
        self.set(message, SmsStatus.QUEUED, answer=answer, not_before=later)
        self.result.counts["retry_later"] += 1

    def release(self, message: Claimed) -> None:
        if message.category == SmsCategory.MARKETING:
            day = policy.local_day(message.claimed_at, self.zones[message.store_id])
            policy.give_back_daily_slot(self.session, message.customer_id, day)

    def set(self, message: Claimed, status: str, answer: Answer | None = None, **values):
        if answer is not None:
            code = answer.code[:64] if answer.code else None  # the column's width
            values |= {"error_code": code, "error_message": str(answer)[:500]}
        self.session.execute(
            update(MESSAGES)
            .where(
                MESSAGES.c.id == message.id,
                MESSAGES.c.status == SmsStatus.SENDING,
                # Still our claim: a row another process reconciled and re-claimed is not ours.
                MESSAGES.c.claimed_at == message.lease,
            )
            .values(status=status, updated_at=utcnow(), **values)
        )


# The customer may still get it: the run's start cancelled what was forbidden then, but an
# opt-out (a call, a reply) or a lost customer during a long run must hold from that moment.
ALLOWED = exists().where(
    Customer.__table__.c.id == MESSAGES.c.customer_id,
    eligibility.allowed(MESSAGES.c.category),
)

RENEW = (
    update(MESSAGES)
    .where(
        MESSAGES.c.id == bindparam("_id"),
        MESSAGES.c.status == SmsStatus.SENDING,
        MESSAGES.c.claimed_at == bindparam("_ours", type_=UTCDateTime),
    )
    .values(
        claimed_at=bindparam("_lease", type_=UTCDateTime),
        updated_at=bindparam("_now", type_=UTCDateTime),
    )
)

"""Resolving rows a sender left in `sending` (killed, or no answer) by the provider's own log.

Twilio takes no idempotency key, so a message is found by what identifies it there:
the same number, the same text, created no earlier than our claim. The repeat guard
makes that unique: one text goes to one number at most once in 24 hours. A row is
re-queued only when the provider's log certainly lacks it and the row still holds the
claim that was judged (a sender renews its lease before each attempt); when the log
cannot be read, or is too long to be sure, the row stays in `sending` for the next run.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select, true, update
from sqlmodel import Session

from crm.models import SmsCategory, SmsStatus
from crm.sms import policy
from crm.sms.policy import MESSAGES
from crm.sms.providers.base import Outgoing, Sender, Unknown
from crm.sms.verdicts import act_on_number, mark_sent


def reconcile(
    session: Session,
    sender: Sender,
    now: datetime,
    older_than: timedelta,
    store_ids: list[int] | None = None,
) -> Counter:
    """Settle every row claimed before `now - older_than` and still in `sending` (in the
    stores named, or in every store)."""
    counts = Counter()
    zones = policy.store_zones(session)
    stale = session.execute(
        select(
            MESSAGES.c.id,
            MESSAGES.c.store_id,
            MESSAGES.c.customer_id,
            MESSAGES.c.category,
            MESSAGES.c.to_phone,
            MESSAGES.c.body,
            MESSAGES.c.claimed_at,
        )
        .where(MESSAGES.c.status == SmsStatus.SENDING, MESSAGES.c.claimed_at <= now - older_than)
        .where(MESSAGES.c.store_id.in_(store_ids) if store_ids is not None else true())
        .order_by(MESSAGES.c.id)
    ).all()
    for row in stale:
        try:
            found = sender.find(Outgoing(row.id, row.to_phone, row.body), row.claimed_at)
        except Unknown as exc:
            session.execute(
                update(MESSAGES)
                .where(MESSAGES.c.id == row.id)
                .values(error_message=f"reconcile: {exc}"[:500], updated_at=now)
            )
            counts["unknown"] += 1
        else:
            if found is not None:
                mark_sent(session, [(row.id, row.claimed_at, found, row.body)], now)
                # Found failed for the number's sake (21211, 21610 …): act as a send would.
                act_on_number(session, row, found.number_problem, found.error_code, now)
                counts["found_sent"] += 1
            else:
                requeued = session.execute(
                    update(MESSAGES)
                    .where(
                        MESSAGES.c.id == row.id,
                        MESSAGES.c.status == SmsStatus.SENDING,
                        # The claim we judged: one renewed or taken again meanwhile is live.
                        MESSAGES.c.claimed_at == row.claimed_at,
                    )
                    .values(
                        status=SmsStatus.QUEUED,
                        error_message="not at the provider after an interrupted send; queued again",
                        updated_at=now,
                    )
                ).rowcount
                if requeued == 1:
                    # The slot goes back once, by whoever moved the row out of `sending`.
                    if row.category == SmsCategory.MARKETING:
                        day = policy.local_day(row.claimed_at, zones[row.store_id])
                        policy.give_back_daily_slot(session, row.customer_id, day)
                    counts["requeued"] += 1
                else:
                    counts["claimed_again"] += 1
        session.commit()  # one row at a time: an interrupted reconcile keeps what it settled
    return counts

"""`crm sms sync`: delivery reports and replies fetched from the provider, for stores
that have no public URL for its webhooks."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from crm.models import SmsStatus
from crm.sms.policy import MESSAGES
from crm.sms.providers.base import ProviderError, Sender, Verdict
from crm.sms.pushed import record_reply
from crm.sms.verdicts import act_on_number

FINAL = {SmsStatus.DELIVERED, SmsStatus.UNDELIVERED, SmsStatus.FAILED}


def sync_status(session: Session, sender: Sender, now: datetime, days: int) -> Counter:
    """Ask the provider about every message sent in the last `days` not yet final."""
    counts = Counter()
    rows = session.execute(
        select(
            MESSAGES.c.id,
            MESSAGES.c.store_id,
            MESSAGES.c.to_phone,
            MESSAGES.c.provider_sid,
            MESSAGES.c.sent_at,
        )
        .where(
            MESSAGES.c.status == SmsStatus.SENT,
            MESSAGES.c.provider_sid.is_not(None),
            MESSAGES.c.sent_at >= now - timedelta(days=days),
            # Only this provider's messages: the console's never went anywhere.
            MESSAGES.c.provider_sid.not_like("console-%"),
        )
        .order_by(MESSAGES.c.id)
    ).all()
    for row in rows:
        try:
            # Aliyun finds a message by its number and day, not by its id alone.
            report = sender.status(row.provider_sid, row.to_phone, row.sent_at)
        except ProviderError as exc:
            counts["unreachable"] += 1
            if exc.verdict == Verdict.STOP_RUN:
                raise
            continue
        values = {"updated_at": now}
        for column in ("error_code", "error_message", "segments", "price", "price_unit"):
            if getattr(report, column) is not None:
                values[column] = getattr(report, column)
        if report.status in FINAL:
            values["status"] = report.status
            if report.status == SmsStatus.DELIVERED:
                values["delivered_at"] = now
            counts[report.status] += 1
        else:
            counts["still_sent"] += 1
        # Still `sent`: a webhook may have recorded the final state since the select.
        session.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id == row.id, MESSAGES.c.status == SmsStatus.SENT)
            .values(**values)
        )
        act_on_number(session, row, report.number_problem, report.error_code, now)
        session.commit()
    return counts


def sync_replies(session: Session, sender: Sender, now: datetime, days: int) -> Counter:
    """Record each new reply once; an opt-out reply withdraws that number's consent."""
    counts = Counter()
    for reply in sender.inbound(now - timedelta(days=days)):
        recorded = record_reply(session, reply, sender.name, now)
        if recorded.inbound_id is None:
            continue  # seen on an earlier sync, or pushed to a webhook
        counts["replies"] += 1
        if recorded.opted_out:
            counts["opted_out"] += recorded.opted_out
        session.commit()
    return counts

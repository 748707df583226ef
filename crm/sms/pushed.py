"""What a provider tells us of its own accord, recorded once and in order: a delivery
report on its message, a reply from a customer (an opt-out word takes effect at once).

Providers retry and reorder their callbacks: a `sent` can arrive after `delivered`, the
same report twice. Each report is one conditional UPDATE that moves a row only forward
(queued, sending < sent < delivered, undelivered, failed), so whichever arrives last, and
however often, the row ends as far as any report took it; two callbacks racing never
overwrite each other, because the database judges the order, not a read before the write.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Update, bindparam, func, select, update
from sqlmodel import Session

from crm.access import audit
from crm.db import insert_for
from crm.models import Customer, SmsInbound, SmsStatus, Store
from crm.models.base import UTCDateTime
from crm.sms.consent import is_opt_out, opt_out
from crm.sms.policy import MESSAGES
from crm.sms.providers.base import PushedReport
from crm.sms.verdicts import act_on_number

RANK = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 0,
    SmsStatus.SENT: 1,
    SmsStatus.DELIVERED: 2,
    SmsStatus.UNDELIVERED: 2,
    SmsStatus.FAILED: 2,
}
REPLY_SOURCE = "sms reply"  # the consent's source, whichever route brought the reply
MIN_TOKEN = 16  # a push token shorter than this is guessable: refused as unset
# What a report may say beyond its status; what it leaves out keeps its value.
REPORTED = ("delivered_at", "error_code", "error_message", "price", "price_unit", "segments")


def _forward(row) -> Update:
    """The one UPDATE moving the matched row forward: only from a status behind the
    report's (`behind`), keeping what the report does not say (coalesce). Built once."""

    def given(column: str):
        return func.coalesce(bindparam(column, type_=MESSAGES.c[column].type), MESSAGES.c[column])

    return (
        update(MESSAGES)
        .where(row, MESSAGES.c.status.in_(bindparam("behind", expanding=True)))
        .values(
            status=bindparam("status"),
            updated_at=bindparam("now", type_=UTCDateTime),
            **{column: given(column) for column in REPORTED},
        )
        .returning(MESSAGES.c.id, MESSAGES.c.store_id, MESSAGES.c.to_phone)
    )


BY_SID = MESSAGES.c.provider_sid == bindparam("key")
# Aliyun: a batch shares one BizId and each row's sid is "BizId:outbox id", so the number
# (indexed) finds the batch's row and the sid's start must be the BizId.
BY_NUMBER_AND_BATCH = (MESSAGES.c.to_phone == bindparam("phone")) & (
    func.substr(MESSAGES.c.provider_sid, 1, func.length(bindparam("key"))) == bindparam("key")
)
FORWARD = {False: _forward(BY_SID), True: _forward(BY_NUMBER_AND_BATCH)}


def record_report(session: Session, pushed: PushedReport, now: datetime) -> str:
    """Move the reported message forward; "updated", "unchanged" (a repeat, or later news
    already recorded) or "unknown" (no message of ours). The caller commits."""
    report = pushed.report
    batch = pushed.provider_key.endswith(":")
    match = {"key": pushed.provider_key, "phone": pushed.phone}
    values = {column: getattr(report, column, None) for column in REPORTED}
    values["delivered_at"] = now if report.status == SmsStatus.DELIVERED else None
    behind = [status for status, rank in RANK.items() if rank < RANK[report.status]]
    moved = session.execute(
        FORWARD[batch],
        {**match, **values, "behind": behind, "status": report.status, "now": now},
    ).first()
    if moved is None:
        row = BY_NUMBER_AND_BATCH if batch else BY_SID
        known = session.execute(select(MESSAGES.c.id).where(row).limit(1), match).first()
        return "unchanged" if known else "unknown"
    # Undelivered because the number is wrong or unsubscribed: act as a send would.
    act_on_number(session, moved, report.number_problem, report.error_code, now)
    return "updated"


@dataclass(frozen=True)
class Recorded:
    inbound_id: int | None  # None: this reply was recorded before (a retried push, a sync)
    opted_out: int = 0  # customers whose consent this reply withdrew


def record_reply(session: Session, reply, actor: str, now: datetime) -> Recorded:
    """Keep a reply once by its provider id; an opt-out word withdraws the consent of every
    customer with that number, cancels their queued messages and is audited as `actor`'s.
    The caller commits."""
    table = SmsInbound.__table__
    stopping = is_opt_out(reply.body)
    new = session.execute(
        insert_for(session.get_bind().dialect.name)(table)
        .values(
            provider_sid=reply.provider_id,
            from_phone=reply.from_phone,
            to_phone=reply.to_phone,
            body=reply.body,
            received_at=reply.received_at,
            opt_out=stopping,
            customers_opted_out=0,
            recorded_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider_sid"])
        .returning(table.c.id)
    ).scalar()
    if new is None or not stopping:
        return Recorded(new)
    customers = session.execute(
        select(Customer.id, Customer.store_id).where(
            # Every store's customers with the number; naming the stores lets the
            # (store_id, phone) index find them instead of reading every customer.
            Customer.store_id.in_(select(Store.id)),
            Customer.phone == reply.from_phone,
        )
    ).all()
    opt_out(session, [c.id for c in customers], REPLY_SOURCE, now)
    for customer in customers:
        audit.record(
            session,
            store_id=customer.store_id,
            actor=actor,
            action="consent",
            at=now,
            subject="SMS consent withdrawn by reply",
            customer_id=customer.id,
            detail={
                "sms_consent": False,
                "marketing_consent": False,
                "source": REPLY_SOURCE,
                "reply": reply.body[:70],
            },
        )
    session.execute(
        update(table).where(table.c.id == new).values(customers_opted_out=len(customers))
    )
    return Recorded(new, len(customers))


def token_refusal(variable: str, given: str, environ: Mapping = os.environ) -> str | None:
    """Why a push on a secret path is refused (to log it), or None when its token is ours."""
    expected = environ.get(variable, "")
    if not expected:
        return f"{variable} is not set, so its receivers accept nothing"
    if len(expected) < MIN_TOKEN:
        return f"{variable} is shorter than {MIN_TOKEN} characters, so it is not used"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return f"a push whose path does not hold {variable}"
    return None

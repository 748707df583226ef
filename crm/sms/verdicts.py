"""What a provider said about a message, written onto its row: accepted (or found by
reconciliation) and, when the number itself was refused, what that means for the customer."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from crm.models import Customer, SmsStatus
from crm.models.base import UTCDateTime
from crm.sms import segments
from crm.sms.consent import flag_invalid_number, opt_out
from crm.sms.policy import MESSAGES

SENT = (
    update(MESSAGES)
    .where(
        MESSAGES.c.id == bindparam("_id"),
        MESSAGES.c.status == SmsStatus.SENDING,
        MESSAGES.c.claimed_at == bindparam("_claimed", type_=UTCDateTime),
    )
    .values(
        status=bindparam("_status"),
        provider_sid=bindparam("_sid"),
        segments=bindparam("_segments"),
        price=bindparam("_price"),
        price_unit=bindparam("_unit"),
        error_code=bindparam("_code"),
        error_message=bindparam("_error"),
        sent_at=bindparam("_sent_at", type_=UTCDateTime),
        delivered_at=bindparam("_delivered_at", type_=UTCDateTime),
        updated_at=bindparam("_now", type_=UTCDateTime),
    )
)


def mark_sent(session: Session, accepted: list[tuple], now) -> None:
    """Record the provider's acceptance (or what reconciliation found) on `sending` rows.

    `accepted` holds (message id, claimed_at, report, body); one executemany for them all.
    """
    rows = []
    for message_id, claimed_at, report, body in accepted:
        status = SmsStatus.FAILED if report.status == "failed" else report.status
        rows.append(
            {
                "_id": message_id,
                "_claimed": claimed_at,
                "_status": status,
                "_sid": report.provider_id,
                "_segments": report.segments or segments.count(body).segments,
                "_price": report.price,
                "_unit": report.price_unit,
                "_code": report.error_code,
                "_error": report.error_message,
                "_sent_at": report.created_at or now,
                "_delivered_at": now if status == SmsStatus.DELIVERED else None,
                "_now": now,
            }
        )
    if rows:
        session.execute(SENT, rows)


def act_on_number(session: Session, message, problem: str | None, code, now) -> None:
    """A provider's verdict on the number: invalid (never again) or unsubscribed (opt-out)."""
    if problem == "invalid":
        flag_invalid_number(session, message.store_id, message.to_phone, now)
    elif problem == "opted_out":
        customers = session.execute(
            select(Customer.id).where(
                Customer.store_id == message.store_id, Customer.phone == message.to_phone
            )
        ).scalars()
        # The source column holds 32 characters: Tencent's codes are dotted and long, and
        # their last part (PhoneNumberInBlacklist) says it.
        source = f"provider:{code}"
        if len(source) > 32:
            source = f"provider:{str(code).rsplit('.', 1)[-1]}"[:32]
        opt_out(session, customers, source, now)

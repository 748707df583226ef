"""Consent to SMS and the number itself: withdrawing consent (退订), flagging a number invalid.

An opt-out is one act whatever its route (a call, an opt-out entered by staff, an
inbound reply, a provider's 21610): both consents off at once, stamped with time and
source, and everything still queued for that customer cancelled.

A number proven wrong is one act too, whatever its route (the call desk reached a
stranger, a provider's 21211): it is wrong for every customer of that store who has it
(one family's shared phone, a duplicate record), and their queued messages are
cancelled. Another store's customers keep theirs: each store's records are its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from crm.models import Customer, SmsMessage, SmsStatus


def opt_out(session: Session, customer_ids: Iterable[int], source: str, now: datetime) -> int:
    """Withdraw SMS and marketing consent; returns how many queued messages were cancelled."""
    ids = list(customer_ids)
    if not ids:
        return 0
    session.execute(
        update(Customer)
        .where(Customer.id.in_(ids))
        .values(
            sms_consent=False,
            sms_consent_at=now,
            sms_consent_source=source,
            marketing_consent=False,
            marketing_consent_at=now,
            marketing_consent_source=source,
            updated_at=now,
        )
    )
    return cancel_queued(session, ids, "opted out", now)


def opt_out_recorded(
    session: Session, customer_ids: Iterable[int], source: str, actor: str, now: datetime
) -> int:
    """`opt_out`, with one audit row for each customer whose consent it withdrew."""
    from crm.access.audit import record

    ids = list(customer_ids)
    before = session.execute(
        select(
            Customer.id, Customer.store_id, Customer.sms_consent, Customer.marketing_consent
        ).where(Customer.id.in_(ids))
    ).all()
    cancelled = opt_out(session, ids, source, now)
    for customer_id, store_id, sms, marketing in before:
        changed = {
            name: [was, False]
            for name, was in (("sms_consent", sms), ("marketing_consent", marketing))
            if was
        }
        if changed:  # already withdrawn: nothing changed, nothing to account for
            record(
                session,
                store_id=store_id,
                actor=actor,
                action="consent",
                at=now,
                subject=f"customer:{customer_id}",
                customer_id=customer_id,
                detail={**changed, "source": source},
            )
    return cancelled


def cancel_queued(session: Session, customer_ids: list[int], why: str, now: datetime) -> int:
    """Cancel what is still queued for these customers; returns how many."""
    return session.execute(
        update(SmsMessage)
        .where(SmsMessage.customer_id.in_(customer_ids), SmsMessage.status == SmsStatus.QUEUED)
        .values(status=SmsStatus.CANCELLED, error_message=why, updated_at=now)
    ).rowcount


def flag_invalid_number(
    session: Session, store_id: int, phone: str, now: datetime
) -> tuple[list[int], int]:
    """Flag `phone` invalid for every customer of the store who has it and cancel what is
    queued for them; returns those customers' ids and how many messages were cancelled."""
    ids = list(
        session.execute(
            select(Customer.id).where(Customer.store_id == store_id, Customer.phone == phone)
        ).scalars()
    )
    if not ids:
        return [], 0
    session.execute(
        update(Customer).where(Customer.id.in_(ids)).values(phone_valid=False, updated_at=now)
    )
    return ids, cancel_queued(session, ids, "invalid_phone", now)


# Whole-message replies that mean "stop" on Chinese and international routes. Only the
# whole reply counts: "退订了保养套餐怎么退款" is a question, not an opt-out.
OPT_OUT_WORDS = frozenset(
    {
        "T",
        "TD",
        "R",  # China's providers' marketing opt-out: 拒收请回复R
        "退订",
        "退",
        "取消订阅",
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPTOUT",
        "OPT OUT",
        "REVOKE",
    }
)
_TRIM = " \t\r\n.,!?;:'\"。，！？；：、…～~"


def is_opt_out(reply: str) -> bool:
    """True when an inbound reply, as a whole, asks to stop messages."""
    # NFKC first: a Chinese keyboard's full-width ＴＤ or ＳＴＯＰ means TD or STOP.
    normal = unicodedata.normalize("NFKC", reply)
    word = " ".join(normal.strip(_TRIM).upper().split())
    return word in OPT_OUT_WORDS

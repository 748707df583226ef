"""Consent to SMS: who may get which messages, and withdrawing it (退订).

An opt-out is one act whatever its route (a call, `crm sms optout`, an inbound
reply, a provider's 21610): both consents off at once, stamped with time and
source, and everything still queued for that customer cancelled.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
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


def cancel_queued(session: Session, customer_ids: list[int], why: str, now: datetime) -> int:
    """Cancel what is still queued for these customers; returns how many."""
    return session.execute(
        update(SmsMessage)
        .where(SmsMessage.customer_id.in_(customer_ids), SmsMessage.status == SmsStatus.QUEUED)
        .values(status=SmsStatus.CANCELLED, error_message=why, updated_at=now)
    ).rowcount


# Whole-message replies that mean "stop" on Chinese and international routes. Only the
# whole reply counts: "退订了保养套餐怎么退款" is a question, not an opt-out.
OPT_OUT_WORDS = frozenset(
    {
        "T",
        "TD",
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

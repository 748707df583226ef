"""The SMS commands' work, shared by the CLI and the scheduler's dispatch job."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from crm.clock import utcnow
from crm.config import Settings
from crm.errors import CrmError
from crm.models import Customer
from crm.sms.backends.base import Sender
from crm.sms.consent import opt_out
from crm.sms.outbox import Dispatcher, DispatchResult
from crm.sms.reconcile import reconcile
from crm.sms.sync import sync_replies, sync_status
from crm.vocabulary.phones import parse_phone


def send_due(
    session: Session, settings: Settings, sender: Sender, limit: int | None = None, progress=None
) -> tuple[Counter, DispatchResult]:
    """Settle stale `sending` rows first (a crash's leftovers), then send what is due."""
    settled = reconcile(
        session, sender, utcnow(), timedelta(seconds=settings.sms.reconcile_after_seconds)
    )
    result = Dispatcher(session, settings.sms, sender, progress).run(limit)
    return settled, result


def reconcile_now(
    session: Session, settings: Settings, sender: Sender, older_than: float | None
) -> Counter:
    seconds = settings.sms.reconcile_after_seconds if older_than is None else older_than
    return reconcile(session, sender, utcnow(), timedelta(seconds=seconds))


def sync(session: Session, settings: Settings, sender: Sender) -> dict:
    now = utcnow()
    statuses = sync_status(session, sender, now, settings.sms.sync_days)
    replies = sync_replies(session, sender, now, settings.sms.sync_days)
    return {"statuses": dict(statuses), "replies": dict(replies)}


def opt_out_phone(session: Session, settings: Settings, raw_phone: str, source: str) -> dict:
    """Withdraw consent for every customer with this number, in every store."""
    try:
        phone = parse_phone(raw_phone, settings.store.phone_region)
    except ValueError as exc:
        raise CrmError(f"{exc}; give a number like 138 0013 8000", exit_code=2) from None
    customers = list(session.execute(select(Customer.id).where(Customer.phone == phone)).scalars())
    if not customers:
        raise CrmError(f"no customer has the number {phone}; check it with the customer list")
    cancelled = opt_out(session, customers, source, utcnow())
    session.commit()
    return {"phone": phone, "customers": len(customers), "cancelled": cancelled}

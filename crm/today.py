"""The picture of the day: what the desk has in front of it on one date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from crm.calls.desk import due_on
from crm.models import (
    Customer,
    FollowupTask,
    ServiceVisit,
    SmsMessage,
    SmsStatus,
    Store,
    Vehicle,
)


def picture(session: Session, store: Store, day: date) -> dict:
    """Counts for `day`: the store's size, calls due (and overdue) and SMS queued."""

    def count(model, *conditions) -> int:
        return session.execute(
            select(func.count()).select_from(model).where(model.store_id == store.id, *conditions)
        ).scalar_one()

    open_calls = due_on(day)  # what `crm calls list` shows for the day
    return {
        "store": store.code,
        "store_name": store.name,
        "date": day.isoformat(),
        "customers": count(Customer),
        "vehicles": count(Vehicle),
        "service_visits": count(ServiceVisit),
        "calls_due": count(FollowupTask, *open_calls),
        "calls_overdue": count(FollowupTask, *open_calls, FollowupTask.due_date < day),
        "sms_queued": count(SmsMessage, SmsMessage.status == SmsStatus.QUEUED),
    }

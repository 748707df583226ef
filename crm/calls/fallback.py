"""The reminder by SMS when its calls went unanswered: once, and only with consent."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from crm.config import Settings
from crm.followup.writes import insert_new
from crm.models import (
    Customer,
    CustomerStatus,
    FollowupTask,
    SmsCategory,
    SmsMessage,
    SmsStatus,
    Store,
    Vehicle,
)
from crm.sms.render import render, salutation
from crm.vocabulary.kinds import Kind

# Reminders whose unanswered calls fall back to an SMS, and what the SMS reminds of.
REMINDERS = {Kind.FIRST_SERVICE_CALL: "first_service", Kind.MAINTENANCE_CALL: "maintenance"}


def queue_fallback(
    session: Session,
    settings: Settings,
    store: Store,
    task: FollowupTask,
    customer: Customer,
    today: date,
    now: datetime,
    effects: list[str],
) -> int | None:
    """The reminder by SMS instead, once (its key is the reminder's own), if allowed."""
    if customer.status != CustomerStatus.ACTIVE or not customer.phone_valid:
        effects.append("no SMS fallback: customer inactive or phone invalid")
        return None
    if not customer.sms_consent:
        effects.append("no SMS fallback: no SMS consent")
        return None
    vehicle = session.get(Vehicle, task.vehicle_id) if task.vehicle_id else None
    locale = settings.store.locale
    context = {
        "customer": salutation(customer.name, customer.gender, locale),
        "vehicle_model": vehicle.model if vehicle else "",
        "plate": (vehicle.plate or "") if vehicle else "",
        # First service: the day the reminder named; maintenance: the predicted day.
        "due_date": (task.details or {}).get("first_service_on") or task.due_date.isoformat(),
        "reminder": REMINDERS[Kind(task.kind)],
    }
    category = SmsCategory.SERVICE
    row = {
        "store_id": store.id,
        "customer_id": customer.id,
        "task_id": task.id,
        "vehicle_id": task.vehicle_id,
        "kind": str(Kind.REMINDER_FALLBACK),
        "category": str(category),
        "subject": task.subject,
        "cycle": task.cycle,
        "to_phone": customer.phone,
        "body": render(
            str(Kind.REMINDER_FALLBACK),
            category,
            locale,
            store.name,
            settings.sms.opt_out_line,
            context,
            overrides=settings.sms.templates_dir,
        ),
        "reason": f"{task.kind} task {task.id} unanswered {task.unanswered} times",
        "planned_for": today,
        "status": SmsStatus.QUEUED.value,
        "send_attempts": 0,
        "queued_at": now,
        "updated_at": now,
    }
    if not insert_new(session, SmsMessage.__table__, [row]):
        effects.append("SMS fallback was already queued")
        return None
    message_id = session.execute(
        select(SmsMessage.id).where(
            SmsMessage.kind == row["kind"],
            SmsMessage.subject == row["subject"],
            SmsMessage.cycle == row["cycle"],
        )
    ).scalar_one()
    effects.append(f"SMS fallback {message_id} queued")
    return message_id

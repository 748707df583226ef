"""The reminder by SMS when its calls went unanswered: once, and only with consent."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm.config import Settings
from crm.followup.writes import insert_new
from crm.models import Customer, FollowupTask, SmsCategory, SmsMessage, Store, Vehicle
from crm.sms import compose, eligibility
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
    refused = eligibility.refusal(customer, SmsCategory.SERVICE)
    if refused:
        effects.append(f"no SMS fallback: {refused.words}")
        return None
    # First service: the day the reminder named; maintenance: the predicted day.
    named = (task.details or {}).get("first_service_on")
    due = date.fromisoformat(named) if named else task.due_date
    reminder = REMINDERS[Kind(task.kind)]
    late = (today - due).days
    if late > settings.sms.stale_after_days:
        # "Come in around <a day weeks ago>" would read as a mistake: say 请尽快 instead,
        # where the product's own wording is sent; the store's own words may lack it.
        if compose.own_wording(str(Kind.REMINDER_FALLBACK), settings):
            effects.append(f"no SMS fallback: the reminder's date {due} is {late} days past")
            return None
        reminder = f"{reminder}_overdue"
    owed = compose.Owed(
        str(Kind.REMINDER_FALLBACK),
        task.subject,
        task.cycle,
        f"{task.kind} task {task.id} unanswered {task.unanswered} times",
        planned_for=today,
        due_date=due,
        vehicle_id=task.vehicle_id,
        task_id=task.id,
        values={"reminder": reminder},
    )
    row = compose.message_row(
        owed,
        store=store,
        customer=customer,
        vehicle=session.get(Vehicle, task.vehicle_id) if task.vehicle_id else None,
        settings=settings,
        today=today,
        zone=ZoneInfo(store.timezone),
        now=now,
    )
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

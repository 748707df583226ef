"""A customer's whole history on one screen: what `crm calls show TASK` prints."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm.calls import talking
from crm.calls.complaints import describe
from crm.calls.desk import _facts
from crm.errors import NotFound
from crm.models import (
    Agent,
    Channel,
    Complaint,
    ContactAttempt,
    Customer,
    FollowupTask,
    ServiceVisit,
    SmsInbound,
    SmsMessage,
    Store,
    TaskStatus,
    Vehicle,
)
from crm.sms.eligibility import refusal
from crm.vocabulary.kinds import SMS_CATEGORY

RECENT = 20  # of each kind of event, newest first


def task_history(session: Session, task_id: int, locale: str, now) -> dict:
    """The task, its customer, their cars, visits, calls, messages and complaints."""
    task = session.get(FollowupTask, task_id)
    if task is None:
        raise NotFound(
            f"no task {task_id}; the day's list shows each call's number", field="task_id"
        )
    store = session.get(Store, task.store_id)
    zone = ZoneInfo(store.timezone)
    customer = session.get(Customer, task.customer_id)
    agent = session.get(Agent, task.agent_id) if task.agent_id else None
    callback = (
        task.callback_at.astimezone(zone).isoformat(timespec="minutes")
        if task.callback_at
        else None
    )
    return {
        "task": {
            "task_id": task.id,
            "kind": task.kind,
            "label": talking.label(task.kind, locale),
            "status": task.status,
            "window_start": task.window_start.isoformat(),
            "due_date": task.due_date.isoformat(),
            "attempts": task.attempts,
            "last_outcome": task.last_outcome,
            "agent": agent.code if agent else None,
            "reason": task.reason,
            "talking_points": talking.ask(
                task.kind, locale, _facts(session, [task])[task.id], now.astimezone(zone).date()
            ),
            "callback_at": callback,
            "vehicle_id": task.vehicle_id,
            "complaint_id": task.details.get("complaint_id"),
        },
        **customer_history(session, customer, locale, zone, now),
    }


def customer_history(
    session: Session, customer: Customer, locale: str, zone: ZoneInfo, now
) -> dict:
    """A customer, their cars, visits, calls, messages, replies, complaints and open calls."""

    def local(moment):
        return moment.astimezone(zone).isoformat(timespec="minutes") if moment else None

    vehicles = list(
        session.exec(select(Vehicle).where(Vehicle.owner_id == customer.id).order_by(Vehicle.id))
    )
    latest = last_visits(session, [v.id for v in vehicles])
    visits = session.execute(
        select(ServiceVisit, Vehicle.plate)
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .where(ServiceVisit.customer_id == customer.id)
        .order_by(ServiceVisit.visit_date.desc(), ServiceVisit.id.desc())
        .limit(RECENT)
    ).all()
    calls = session.execute(
        select(ContactAttempt, FollowupTask.kind, Agent.code)
        .outerjoin(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
        .outerjoin(Agent, Agent.id == ContactAttempt.agent_id)
        .where(ContactAttempt.customer_id == customer.id)
        .order_by(ContactAttempt.attempted_at.desc(), ContactAttempt.id.desc())
        .limit(RECENT)
    ).all()
    messages = session.exec(
        select(SmsMessage)
        .where(SmsMessage.customer_id == customer.id)
        .order_by(SmsMessage.queued_at.desc(), SmsMessage.id.desc())
        .limit(RECENT)
    ).all()
    # Replies are kept by number (a reply names no message): this customer's number's.
    replies = session.exec(
        select(SmsInbound)
        .where(SmsInbound.from_phone == customer.phone)
        .order_by(SmsInbound.received_at.desc(), SmsInbound.id.desc())
        .limit(RECENT)
    ).all()
    complaints = session.exec(
        select(Complaint)
        .where(Complaint.customer_id == customer.id)
        .order_by(Complaint.received_at.desc())
        .limit(RECENT)
    ).all()
    open_tasks = session.exec(
        select(FollowupTask)
        .where(
            FollowupTask.customer_id == customer.id,
            FollowupTask.status == TaskStatus.OPEN,
            FollowupTask.channel == Channel.PHONE,  # a card is a call; SMS have no card
        )
        .order_by(FollowupTask.window_start, FollowupTask.id)
    ).all()
    return {
        "customer": {
            "customer_id": customer.id,
            "customer_code": customer.customer_code,
            "name": customer.name,
            "phone": customer.phone,
            "phone_valid": customer.phone_valid,
            "status": customer.status,
            "is_lead": customer.is_lead,
            "birthday": customer.birthday.isoformat() if customer.birthday else None,
            "birthday_calendar": customer.birthday_calendar,
            "sms_consent": customer.sms_consent,
            "marketing_consent": customer.marketing_consent,
            "notes": talking.notes(
                customer.occupation, customer.hobbies, customer.family_notes, locale
            ),
            "occupation": customer.occupation,
            "hobbies": customer.hobbies,
            "family_notes": customer.family_notes,
            "sms_allowed": sms_allowed(customer),
        },
        "vehicles": [vehicle_facts(v, latest.get(v.id)) for v in vehicles],
        "visits": [
            {
                "visit_date": visit.visit_date.isoformat(),
                "ro_number": visit.ro_number,
                "plate": plate,
                "service_type": visit.service_type,
                "odometer_km": visit.odometer_km,
            }
            for visit, plate in visits
        ],
        "calls": [
            {
                "at": local(attempt.attempted_at),
                "kind": kind,
                "agent": code,
                "outcome": attempt.outcome,
                "satisfaction": attempt.satisfaction,
                "mileage_km": attempt.mileage_km,
                "note": attempt.note,
                "tags": attempt.tags,
                "corrected": attempt.corrected_at is not None,
                "original": (attempt.correction or {}).get("original"),
            }
            for attempt, kind, code in calls
        ],
        "messages": [
            {
                "at": local(m.sent_at or m.queued_at),
                "kind": m.kind,
                "status": m.status,
                "body": m.body,
            }
            for m in messages
        ],
        "replies": [
            {"at": local(r.received_at), "body": r.body, "opt_out": r.opt_out} for r in replies
        ],
        "complaints": [describe(c, customer.name, customer.phone, zone, now) for c in complaints],
        "open_tasks": [
            {
                "task_id": t.id,
                "kind": t.kind,
                "label": talking.label(t.kind, locale),
                "window_start": t.window_start.isoformat(),
                "due_date": t.due_date.isoformat(),
            }
            for t in open_tasks
        ],
    }


def last_visits(session: Session, vehicle_ids: list[int]) -> dict[int, tuple]:
    """Each vehicle's latest visit: (date, odometer km)."""
    if not vehicle_ids:
        return {}
    rows = session.execute(
        select(ServiceVisit.vehicle_id, ServiceVisit.visit_date, ServiceVisit.odometer_km)
        .where(ServiceVisit.vehicle_id.in_(vehicle_ids))
        .order_by(ServiceVisit.visit_date, ServiceVisit.id)
    ).all()
    return {vehicle_id: (day, km) for vehicle_id, day, km in rows}  # the last row wins


def vehicle_facts(v: Vehicle, latest: tuple | None) -> dict:
    return {
        "vehicle_id": v.id,
        "vin": v.vin,
        "model": v.model,
        "plate": v.plate,
        "delivery_date": v.delivery_date.isoformat(),
        "last_visit_date": latest[0].isoformat() if latest else None,
        "last_mileage_km": latest[1] if latest else None,
        "maintenance_due_on": v.maintenance_due_on.isoformat() if v.maintenance_due_on else None,
        "maintenance_pace_km_day": (
            round(v.maintenance_pace_km_day, 1) if v.maintenance_pace_km_day else None
        ),
    }


def sms_allowed(customer: Customer) -> dict[str, bool]:
    """For each kind of SMS: may this customer get one (consent, number, status)?"""
    return {
        str(kind): refusal(customer, category) is None for kind, category in SMS_CATEGORY.items()
    }

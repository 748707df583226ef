"""The day's call list: open calls whose window has started, overdue first.

One query reads the calls with their customer, car and agent; a second reads what
the talking points need beyond the task (the visit a callback is about, the
complaint a follow-up is about). Both are bounded by the list itself.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from crm.calls import claims, talking
from crm.models import (
    Agent,
    Channel,
    Complaint,
    ContactAttempt,
    Customer,
    FollowupTask,
    ServiceVisit,
    Store,
    TaskStatus,
    Vehicle,
)

# Only what the list shows: reading whole task objects took most of the list's time.
TASK_COLUMNS = (
    FollowupTask.id,
    FollowupTask.kind,
    FollowupTask.subject,
    FollowupTask.cycle,
    FollowupTask.customer_id,
    FollowupTask.window_start,
    FollowupTask.due_date,
    FollowupTask.attempts,
    FollowupTask.last_attempt_at,
    FollowupTask.last_outcome,
    FollowupTask.callback_at,
    FollowupTask.reason,
    FollowupTask.details,
)


def due_on(day: date):
    """Conditions for an open call on `day`'s list (window started, not put off past it)."""
    return (
        FollowupTask.status == TaskStatus.OPEN,
        FollowupTask.channel == Channel.PHONE,
        FollowupTask.window_start <= day,
        or_(FollowupTask.next_try_on.is_(None), FollowupTask.next_try_on <= day),
    )


# Overdue calls have the earliest due dates: by due date puts them first.
LIST_ORDER = (
    FollowupTask.due_date,
    func.coalesce(FollowupTask.callback_at, FollowupTask.created_at),
    FollowupTask.id,
)


def on_list(store_id: int, day: date, agent_id: int | None = None, kind: str | None = None):
    """Conditions for a call on the store's (or one agent's) list of `day`."""
    conditions = [FollowupTask.store_id == store_id, *due_on(day)]
    if agent_id is not None:
        conditions.append(FollowupTask.agent_id == agent_id)
    if kind:
        conditions.append(FollowupTask.kind == kind)
    return conditions


def day_ids(
    session: Session,
    store_id: int,
    day: date,
    agent_id: int | None,
    kind: str | None = None,
    free_for: tuple[int, datetime] | None = None,
) -> list[int]:
    """The ids of the day's list in its order (with `free_for`, only those that user may
    take now): where "next call" goes."""
    query = select(FollowupTask.id).where(*on_list(store_id, day, agent_id, kind))
    if free_for is not None:
        query = query.where(claims.free_for(*free_for))
    return list(session.execute(query.order_by(*LIST_ORDER)).scalars())


def still_free(
    session: Session,
    store_id: int,
    day: date,
    agent_id: int | None,
    kind: str | None,
    task_ids: list[int],
    free_for: tuple[int, datetime],
) -> set[int]:
    """Which of `task_ids` are still on the list and free for the user."""
    query = select(FollowupTask.id).where(
        FollowupTask.id.in_(task_ids),
        *on_list(store_id, day, agent_id, kind),
        claims.free_for(*free_for),
    )
    return set(session.execute(query).scalars())


def day_counts(
    session: Session, store_id: int, day: date, agent_id: int | None, kind: str | None, done_since
) -> dict:
    """Due and overdue calls on the list, and calls logged since `done_since` (the day's start)."""
    due, overdue = session.execute(
        select(func.count(), func.count().filter(FollowupTask.due_date < day)).where(
            *on_list(store_id, day, agent_id, kind)
        )
    ).one()
    # Done: the calls logged since the day began (each try is a call the agent made).
    done = (
        select(func.count())
        .select_from(ContactAttempt)
        .join(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
        .where(FollowupTask.store_id == store_id, ContactAttempt.attempted_at >= done_since)
    )
    if agent_id is not None:
        done = done.where(ContactAttempt.agent_id == agent_id)
    if kind:
        done = done.where(FollowupTask.kind == kind)
    return {"due": due, "overdue": overdue, "done_today": session.execute(done).scalar_one()}


def day_list(
    session: Session,
    store: Store,
    day: date,
    locale: str,
    *,
    agent: Agent | None = None,
    limit: int | None = None,
    offset: int = 0,
    kind: str | None = None,
) -> list[dict]:
    """The calls for `day`: overdue first, then by due date (callbacks at their time)."""
    zone = ZoneInfo(store.timezone)
    query = (
        select(
            *TASK_COLUMNS,
            Customer.name,
            Customer.customer_code,
            Customer.phone,
            Customer.phone_valid,
            Customer.occupation,
            Customer.hobbies,
            Customer.family_notes,
            Vehicle.model,
            Vehicle.plate,
            Vehicle.vin,
            Agent.code,
        )
        .join(Customer, Customer.id == FollowupTask.customer_id)
        .outerjoin(Vehicle, Vehicle.id == FollowupTask.vehicle_id)
        .outerjoin(Agent, Agent.id == FollowupTask.agent_id)
        .order_by(*LIST_ORDER)
    )
    conditions = on_list(store.id, day, agent.id if agent else None, kind)
    if limit or offset:
        # A page: pick its calls from the tasks alone, then join just those. Joining first
        # read the customer and car of every call on the list (thousands) to keep 50.
        page = select(FollowupTask.id).where(*conditions).order_by(*LIST_ORDER)
        query = query.where(FollowupTask.id.in_(page.limit(limit).offset(offset)))
    else:
        query = query.where(*conditions)
    rows = session.execute(query).all()
    facts = _facts(session, rows)
    listed = []
    for task in rows:
        callback = task.callback_at.astimezone(zone).isoformat() if task.callback_at else None
        last = task.last_attempt_at.astimezone(zone).isoformat() if task.last_attempt_at else None
        listed.append(
            {
                "task_id": task.id,
                "kind": task.kind,
                "label": talking.label(task.kind, locale),
                "customer": task.name,
                "customer_id": task.customer_id,
                "customer_code": task.customer_code,
                "phone": task.phone,
                "phone_valid": task.phone_valid,
                "model": task.model,
                "plate": task.plate,
                "vin": task.vin,
                "window_start": task.window_start.isoformat(),
                "due_date": task.due_date.isoformat(),
                "overdue": task.due_date < day,
                "days_overdue": max((day - task.due_date).days, 0),
                "attempts": task.attempts,
                "last_contact_at": last,
                "last_outcome": task.last_outcome,
                "callback_at": callback,
                "agent": task.code,
                "reason": task.reason,
                "talking_points": talking.ask(task.kind, locale, facts.get(task.id, {}), day),
                "notes": talking.notes(task.occupation, task.hobbies, task.family_notes, locale),
            }
        )
    return listed


def _facts(session: Session, tasks) -> dict[int, dict]:
    """What each call's talking points name, by task id."""
    facts = {task.id: dict(task.details or {}) for task in tasks}
    visits = {
        int(task.subject.split(":")[1]): task.id
        for task in tasks
        if task.subject.startswith("visit:")
    }
    if visits:
        for visit_id, visit_date, service_type in session.execute(
            select(ServiceVisit.id, ServiceVisit.visit_date, ServiceVisit.service_type).where(
                ServiceVisit.id.in_(list(visits))
            )
        ):
            facts[visits[visit_id]].update(
                visit_date=visit_date.isoformat(), service_type=service_type
            )
    # A maintenance call names the km of the service it follows (its cycle "after:<visit>").
    bases = {
        int(task.cycle.split(":")[1]): task.id
        for task in tasks
        if task.kind == "maintenance_call" and (task.cycle or "").startswith("after:")
    }
    if bases:
        for visit_id, km in session.execute(
            select(ServiceVisit.id, ServiceVisit.odometer_km).where(
                ServiceVisit.id.in_(list(bases))
            )
        ):
            facts[bases[visit_id]]["last_service_km"] = km
    complaints = {
        int(task.subject.split(":")[1]): task.id
        for task in tasks
        if task.subject.startswith("complaint:")
    }
    if complaints:
        for complaint in session.exec(select(Complaint).where(Complaint.id.in_(list(complaints)))):
            facts[complaints[complaint.id]].update(
                category=complaint.category,
                department=complaint.department,
                text=complaint.text,
                resolution=complaint.resolution or "",
            )
    return facts

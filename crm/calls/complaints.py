"""Complaints (投诉) followed until the customer says they are solved.

open -> (progress calls every few days) -> resolved by the store -> a confirmation
call -> closed when the customer confirms, back to open when they do not.
Deadlines: a first response within `complaints.respond_within_hours`, a resolution
within `complaints.resolve_within_days`; `overdue` names whichever was missed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, exists, func, literal, or_, update
from sqlmodel import Session, select

from crm.calls import assignment
from crm.calls.deadlines import missed_deadlines
from crm.config import Settings
from crm.errors import NotFound, UsageError
from crm.followup.writes import insert_new
from crm.models import (
    Agent,
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ContactAttempt,
    Customer,
    FollowupTask,
    Store,
    TaskStatus,
)
from crm.vocabulary.kinds import Kind

CATEGORIES = [str(category) for category in ComplaintCategory]


def check_category(category: str, field: str = "category") -> str:
    if category not in CATEGORIES:
        raise UsageError(
            f"unknown complaint category {category!r}; use one of {', '.join(CATEGORIES)}",
            field=field,
        )
    return category


def open_complaint(
    session: Session,
    settings: Settings,
    store: Store,
    customer_id: int,
    category: str,
    text: str,
    now: datetime,
    *,
    vehicle_id: int | None = None,
    agent_id: int | None = None,
    attempt_id: int | None = None,
) -> Complaint:
    """Record a complaint, route it, and put its first progress call on the list."""
    check_category(category)
    if not text or not text.strip():
        raise UsageError("a complaint needs its text: what the customer said", field="text")
    rules = settings.complaints
    complaint = Complaint(
        store_id=store.id,
        customer_id=customer_id,
        vehicle_id=vehicle_id,
        attempt_id=attempt_id,
        agent_id=agent_id,
        category=category,
        department=rules.departments[category],
        text=text.strip(),
        received_at=now,
        respond_by=now + timedelta(hours=rules.respond_within_hours),
        resolve_by=now + timedelta(days=rules.resolve_within_days),
    )
    session.add(complaint)
    session.flush()
    ensure_followups(session, settings, store, now, complaint_ids=[complaint.id], agent_id=agent_id)
    # No campaign pitch to a customer with a complaint (queued marketing SMS are cancelled
    # at dispatch by the eligibility rules). Imported here: planning needs none of it.
    from crm.followup.campaigns import end_campaign_calls

    end_campaign_calls(session, customer_id, now)
    return complaint


def ensure_followups(
    session: Session,
    settings: Settings,
    store: Store,
    now: datetime,
    *,
    complaint_ids: list[int] | None = None,
    agent_id: int | None = None,
    reopened: bool = False,
) -> int:
    """Give every open complaint its next progress call; returns how many were created.

    The first is due by the response deadline, one after a reopening at once; each
    next one opens `followup_every_days` after the last progress call closed. The key
    (complaint_followup, complaint:ID, window day) makes a second planner a no-op.
    """
    zone = ZoneInfo(store.timezone)
    today = now.astimezone(zone).date()
    every = settings.complaints.followup_every_days
    followups = FollowupTask.__table__
    waiting = exists().where(
        followups.c.kind == Kind.COMPLAINT_FOLLOWUP,
        followups.c.subject == literal("complaint:") + cast(Complaint.id, String),
        followups.c.status == TaskStatus.OPEN,
    )
    query = select(Complaint).where(
        Complaint.store_id == store.id, Complaint.status == ComplaintStatus.OPEN, ~waiting
    )
    if complaint_ids is not None:
        query = query.where(Complaint.id.in_(complaint_ids))
    if not (waiting_complaints := list(session.exec(query))):
        return 0
    # When each one's last progress call closed, in one query for all of them.
    closed = dict(
        session.execute(
            select(FollowupTask.subject, func.max(FollowupTask.closed_at))
            .where(
                FollowupTask.kind == Kind.COMPLAINT_FOLLOWUP,
                FollowupTask.subject.in_([f"complaint:{c.id}" for c in waiting_complaints]),
            )
            .group_by(FollowupTask.subject)
        ).all()
    )
    rows = []
    for complaint in waiting_complaints:
        last_closed = closed.get(f"complaint:{complaint.id}")
        if reopened:
            opens = due = today
            why = f"complaint #{complaint.id} reopened: the customer says it is not solved"
        elif last_closed is None:
            opens = today
            due = max(complaint.respond_by.astimezone(zone).date(), today)
            respond_by = _local(complaint.respond_by, zone)
            why = f"complaint #{complaint.id} received; respond by {respond_by}"
        else:
            opens = due = max(last_closed.astimezone(zone).date() + timedelta(days=every), today)
            why = f"complaint #{complaint.id} still open; progress call every {every} days"
        # A reopening gets its own key: the day may already have had a progress call.
        cycle = opens.isoformat() + (f"/reopened-{complaint.reopened}" if reopened else "")
        rows.append(_task(complaint, Kind.COMPLAINT_FOLLOWUP, cycle, opens, due, why, now))
    created = insert_new(session, followups, rows)
    _assign_new(session, store, rows, agent_id)
    return len(created)


def resolve(
    session: Session,
    settings: Settings,
    complaint_id: int,
    resolution: str,
    now: datetime,
    *,
    agent: Agent | None = None,
) -> Complaint:
    """The store says it is solved: stop the progress calls, ask the customer to confirm
    (in the caller's transaction)."""
    complaint = get_complaint(session, complaint_id)
    if complaint.status != ComplaintStatus.OPEN:
        raise UsageError(
            f"complaint {complaint_id} is {complaint.status}, not open; "
            "only an open complaint can be resolved",
            field="complaint_id",
        )
    if not resolution or not resolution.strip():
        raise UsageError("say how it was resolved", field="resolution")
    store = session.get(Store, complaint.store_id)
    zone = ZoneInfo(store.timezone)
    today = now.astimezone(zone).date()
    # A conditional update: two managers resolving at once, one wins (no read-then-write).
    won = session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.status == ComplaintStatus.OPEN)
        .values(
            status=ComplaintStatus.RESOLVED,
            resolution=resolution.strip(),
            resolved_at=now,
            first_response_at=func.coalesce(Complaint.first_response_at, now),
        )
    ).rowcount
    if won != 1:
        raise UsageError(
            f"complaint {complaint_id} was resolved by someone else just now; reload it",
            field="complaint_id",
        )
    session.refresh(complaint)
    session.execute(
        update(FollowupTask)
        .where(
            FollowupTask.kind == Kind.COMPLAINT_FOLLOWUP,
            FollowupTask.subject == f"complaint:{complaint.id}",
            FollowupTask.status == TaskStatus.OPEN,
        )
        .values(status=TaskStatus.CANCELLED, closed_at=now, updated_at=now)
    )
    due = today + timedelta(days=settings.complaints.confirm_within_days)
    row = _task(
        complaint,
        Kind.COMPLAINT_CONFIRMATION,
        f"confirm:{complaint.reopened}",
        today,
        due,
        f"complaint #{complaint.id} resolved on {today}; confirm with the customer by {due}",
        now,
    )
    insert_new(session, FollowupTask.__table__, [row])
    _assign_new(session, store, [row], agent.id if agent else None)
    return complaint


def confirm(session: Session, settings: Settings, complaint: Complaint, solved: bool, now) -> None:
    """The customer's answer on the confirmation call: closed, or open again."""
    if solved:
        complaint.status = ComplaintStatus.CLOSED
        complaint.confirmed_at = now
        session.add(complaint)
        return
    complaint.status = ComplaintStatus.OPEN
    complaint.reopened += 1
    complaint.resolved_at = None
    session.add(complaint)
    session.flush()
    store = session.get(Store, complaint.store_id)
    ensure_followups(session, settings, store, now, complaint_ids=[complaint.id], reopened=True)


def responded(session: Session, complaint_id: int, now: datetime) -> None:
    """A progress call reached the customer: the first one is the response."""
    session.execute(
        update(Complaint)
        .where(Complaint.id == complaint_id, Complaint.first_response_at.is_(None))
        .values(first_response_at=now)
    )


def get_complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(
            f"no complaint {complaint_id}; the complaints list shows their numbers",
            field="complaint_id",
        )
    return complaint


def overdue_condition(now: datetime):
    """Open and past a deadline: no first response in time, or not resolved in time."""
    return and_(
        Complaint.status == ComplaintStatus.OPEN,
        or_(
            and_(Complaint.first_response_at.is_(None), Complaint.respond_by < now),
            Complaint.resolve_by < now,
        ),
    )


def list_complaints(
    session: Session, store: Store, status: str, overdue_only: bool, now: datetime
) -> list[dict]:
    query = (
        select(Complaint, Customer.name, Customer.phone)
        .join(Customer, Customer.id == Complaint.customer_id)
        .where(Complaint.store_id == store.id)
        .order_by(Complaint.received_at, Complaint.id)
    )
    if status == "open":
        query = query.where(Complaint.status == ComplaintStatus.OPEN)
    elif status == "resolved":
        query = query.where(
            Complaint.status.in_([ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED])
        )
    if overdue_only:
        query = query.where(overdue_condition(now))
    zone = ZoneInfo(store.timezone)
    return [
        describe(complaint, name, phone, zone, now)
        for complaint, name, phone in session.execute(query)
    ]


def describe(complaint: Complaint, name: str, phone: str, zone: ZoneInfo, now: datetime) -> dict:
    late = []
    if complaint.status == ComplaintStatus.OPEN:
        if complaint.first_response_at is None and complaint.respond_by < now:
            late.append("no response")
        if complaint.resolve_by < now:
            late.append("not resolved")
    return {
        "complaint_id": complaint.id,
        "customer": name,
        "customer_id": complaint.customer_id,
        "phone": phone,
        "category": complaint.category,
        "department": complaint.department,
        "status": complaint.status,
        "text": complaint.text,
        "received_at": _local(complaint.received_at, zone),
        "respond_by": _local(complaint.respond_by, zone),
        "resolve_by": _local(complaint.resolve_by, zone),
        "first_response_at": _local(complaint.first_response_at, zone),
        "resolved_at": _local(complaint.resolved_at, zone),
        "confirmed_at": _local(complaint.confirmed_at, zone),
        "resolution": complaint.resolution,
        "reopened": complaint.reopened,
        "overdue": bool(late),
        "overdue_reason": ", ".join(late) or None,
        "missed_deadlines": ", ".join(missed_deadlines(complaint, now)) or None,
    }


def show(session: Session, complaint_id: int, now: datetime) -> dict:
    """One complaint with every call made about it."""
    complaint = get_complaint(session, complaint_id)
    customer = session.get(Customer, complaint.customer_id)
    store = session.get(Store, complaint.store_id)
    zone = ZoneInfo(store.timezone)
    data = describe(complaint, customer.name, customer.phone, zone, now)
    calls = session.execute(
        select(FollowupTask.id, FollowupTask.kind, FollowupTask.status, FollowupTask.due_date)
        .where(FollowupTask.subject == f"complaint:{complaint.id}")
        .order_by(FollowupTask.window_start, FollowupTask.id)
    ).all()
    attempts = session.execute(
        select(ContactAttempt, FollowupTask.kind, Agent.code)
        .join(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
        .outerjoin(Agent, Agent.id == ContactAttempt.agent_id)
        .where(FollowupTask.subject == f"complaint:{complaint.id}")
        .order_by(ContactAttempt.attempted_at, ContactAttempt.id)
    ).all()
    confirmations = [s for _i, k, s, _d in calls if k == Kind.COMPLAINT_CONFIRMATION]
    if complaint.confirmed_at:
        data["confirmation"] = "confirmed"
    elif complaint.status == ComplaintStatus.RESOLVED and confirmations:
        # Unreachable or refused: the store's resolution stands, unconfirmed.
        data["confirmation"] = {"open": "pending", "done": "pending"}.get(
            confirmations[-1], "unconfirmed"
        )
    else:
        data["confirmation"] = None
    data["calls"] = [
        {"task_id": i, "kind": k, "status": s, "due_date": d.isoformat()} for i, k, s, d in calls
    ]
    data["attempts"] = [
        {
            "at": _local(attempt.attempted_at, zone),
            "kind": kind,
            "agent": code,
            "outcome": attempt.outcome,
            "note": attempt.note,
        }
        for attempt, kind, code in attempts
    ]
    return data


def _task(complaint: Complaint, kind: Kind, cycle: str, opens: date, due: date, why, now) -> dict:
    return {
        "store_id": complaint.store_id,
        "kind": str(kind),
        "channel": Channel.PHONE.value,
        "subject": f"complaint:{complaint.id}",
        "cycle": cycle,
        "customer_id": complaint.customer_id,
        "vehicle_id": complaint.vehicle_id,
        "window_start": opens,
        "due_date": due,
        "status": TaskStatus.OPEN.value,
        "reason": why,
        "details": {"complaint_id": complaint.id},
        "attempts": 0,
        "unanswered": 0,
        "late": False,
        "created_at": now,
        "updated_at": now,
    }


def _assign_new(session: Session, store: Store, rows: list[dict], agent_id: int | None) -> None:
    for row in rows:
        task = session.exec(
            select(FollowupTask).where(
                FollowupTask.kind == row["kind"],
                FollowupTask.subject == row["subject"],
                FollowupTask.cycle == row["cycle"],
            )
        ).one()
        if task.agent_id is None:
            assignment.assign_one(session, task, prefer=agent_id)


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else None

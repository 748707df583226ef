"""A complaint's progress: notes, routing to another department or owner, its timeline, and
the manager's list with the urgent ones first.

The timeline is read from where each step already lives: the complaint row (received,
resolved, confirmed), the calls made about it, its notes, and the audit trail (who routed
or resolved it, and each earlier resolution of a reopened complaint).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, update
from sqlmodel import Session, select

from crm.calls.complaints import describe, overdue_condition
from crm.config import Settings
from crm.errors import UsageError
from crm.models import (
    Agent,
    AuditEvent,
    Complaint,
    ComplaintNote,
    ComplaintStatus,
    ContactAttempt,
    Customer,
    FollowupTask,
    Store,
    TaskStatus,
)
from crm.vocabulary.kinds import Kind

MAX_NOTE = 2000  # characters: a note is a few sentences, not a file
STATUSES = ("open", "resolved", "closed", "all")


def subject_of(complaint_id: int) -> str:
    """How the complaint's calls and audit rows name it."""
    return f"complaint:{complaint_id}"


def departments(settings: Settings) -> list[str]:
    """The departments complaints are routed to: the configured routing's targets."""
    return sorted(set(settings.complaints.departments.values()))


def owner_of(session: Session, complaint: Complaint) -> Agent | None:
    """Who answers for the complaint: the agent it was given to, else the one with its calls."""
    if complaint.agent_id is not None:
        return session.get(Agent, complaint.agent_id)
    agent_id = session.execute(
        select(FollowupTask.agent_id)
        .where(FollowupTask.subject == subject_of(complaint.id))
        .order_by(FollowupTask.id.desc())
        .limit(1)
    ).scalar()
    return session.get(Agent, agent_id) if agent_id else None


def add_note(
    session: Session, complaint: Complaint, author: str, text: str, now: datetime
) -> ComplaintNote:
    """A progress note on the complaint, in the caller's transaction."""
    text = (text or "").strip()
    if not text:
        raise UsageError("write the note: what was done or learnt", field="note")
    if len(text) > MAX_NOTE:
        raise UsageError(
            f"a note is at most {MAX_NOTE} characters; this one has {len(text)}", field="note"
        )
    note = ComplaintNote(complaint_id=complaint.id, at=now, author=author[:64], text=text)
    session.add(note)
    return note


def route(
    session: Session,
    settings: Settings,
    complaint: Complaint,
    now: datetime,
    *,
    department: str | None = None,
    agent: Agent | None = None,
) -> dict[str, list]:
    """Send the complaint to another department or owner; returns what changed, [before, after].

    A new owner also takes the complaint's open calls (progress or confirmation), so the
    person answerable for it is the one who calls the customer.
    """
    if complaint.status == ComplaintStatus.CLOSED:
        raise UsageError(
            f"complaint {complaint.id} is closed: the customer confirmed it solved",
            field="department",
        )
    changed: dict[str, list] = {}
    if department:
        if department not in departments(settings):
            known = ", ".join(departments(settings))
            raise UsageError(
                f"unknown department {department!r}; use one of {known}", field="department"
            )
        if department != complaint.department:
            changed["department"] = [complaint.department, department]
            complaint.department = department
    if agent is not None:
        if not agent.active:
            raise UsageError(
                f"agent {agent.code} is inactive; choose an active agent", field="agent"
            )
        before = owner_of(session, complaint)
        complaint.agent_id = agent.id
        if before is None or agent.id != before.id:
            changed["agent"] = [before.code if before else None, agent.code]
            session.execute(
                update(FollowupTask)
                .where(
                    FollowupTask.subject == subject_of(complaint.id),
                    FollowupTask.status == TaskStatus.OPEN,
                )
                .values(agent_id=agent.id, updated_at=now)
            )
    if not changed:
        raise UsageError(
            "the complaint already has that department and owner; nothing changed",
            field="department" if department else "agent",
        )
    session.add(complaint)
    return changed


def urgent_page(
    session: Session, store: Store, status: str, overdue_only: bool, now: datetime, limit, offset
) -> tuple[list[dict], dict]:
    """A page of the store's complaints, overdue first, then by the nearest deadline; and
    the counts of open and overdue ones."""
    late = overdue_condition(now)
    query = (
        select(Complaint, Customer.name, Customer.phone)
        .join(Customer, Customer.id == Complaint.customer_id)
        .where(Complaint.store_id == store.id)
    )
    if status in ("open", "resolved", "closed"):
        query = query.where(Complaint.status == status)
    if overdue_only:
        query = query.where(late)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    query = query.order_by(
        case((late, 0), (Complaint.status == ComplaintStatus.OPEN, 1), else_=2),
        case((Complaint.status == ComplaintStatus.OPEN, Complaint.resolve_by), else_=None),
        Complaint.received_at.desc(),
        Complaint.id.desc(),
    )
    zone = ZoneInfo(store.timezone)
    rows = [
        describe(complaint, name, phone, zone, now)
        for complaint, name, phone in session.execute(query.limit(limit).offset(offset))
    ]
    mine = Complaint.store_id == store.id
    open_count, overdue_count = session.execute(
        select(
            func.count().filter(Complaint.status == ComplaintStatus.OPEN),
            func.count().filter(late),
        ).where(mine)
    ).one()
    return rows, {"total": total, "open": open_count, "overdue": overdue_count}


def timeline(session: Session, complaint: Complaint, zone: ZoneInfo) -> list[dict]:
    """Every step of the complaint, oldest first: received, routed, calls, notes, resolved,
    confirmed or reopened."""
    subject = subject_of(complaint.id)
    audits = session.exec(
        select(AuditEvent)
        .where(AuditEvent.subject == subject, AuditEvent.store_id == complaint.store_id)
        .order_by(AuditEvent.id)
    ).all()
    moves = [e.detail["department"] for e in audits if "department" in (e.detail or {})]
    first = moves[0][0] if moves else complaint.department  # where it was routed on receipt
    steps = [
        _step(complaint.received_at, "received", None, complaint.text, zone),
        _step(complaint.received_at, "routed", None, first, zone),
    ]
    resolved_seen = False
    for event in audits:
        detail = event.detail or {}
        if event.action == "complaint_route":
            if "department" in detail:
                department = detail["department"][1]
                steps.append(_step(event.at, "routed", event.actor, department, zone))
            if "agent" in detail:
                steps.append(_step(event.at, "owner", event.actor, detail["agent"][1], zone))
        elif event.action == "complaint_resolve":
            resolved_seen = True
            steps.append(_step(event.at, "resolved", event.actor, detail.get("resolution"), zone))
    if complaint.resolved_at and not resolved_seen:  # resolved before the trail existed
        steps.append(_step(complaint.resolved_at, "resolved", None, complaint.resolution, zone))
    calls = session.execute(
        select(ContactAttempt, FollowupTask.kind, FollowupTask.cycle, Agent.code)
        .join(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
        .outerjoin(Agent, Agent.id == ContactAttempt.agent_id)
        .where(FollowupTask.subject == subject)
    ).all()
    for attempt, kind, cycle, code in calls:
        what = "progress_call" if kind == Kind.COMPLAINT_FOLLOWUP else "confirmation_call"
        step = _step(attempt.attempted_at, what, code, attempt.note, zone)
        step["outcome"] = attempt.outcome
        steps.append(step)
        if what == "confirmation_call" and attempt.outcome == "reached":
            # A confirmation call of an earlier cycle that was reached reopened it.
            reopened = int(cycle.split(":")[1]) < complaint.reopened
            if reopened:
                steps.append(_step(attempt.attempted_at, "reopened", code, None, zone))
    for note in session.exec(
        select(ComplaintNote).where(ComplaintNote.complaint_id == complaint.id)
    ):
        steps.append(_step(note.at, "note", note.author, note.text, zone))
    if complaint.confirmed_at:
        steps.append(_step(complaint.confirmed_at, "confirmed", None, None, zone))
    order = {"received": 0, "routed": 1}
    steps.sort(key=lambda step: (step["_at"], order.get(step["event"], 2)))
    for step in steps:
        del step["_at"]
    return steps


def _step(at: datetime, event: str, by: str | None, text, zone: ZoneInfo, **extra) -> dict:
    return {
        "_at": at,
        "at": at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "event": event,
        "by": by,
        "text": text,
        **extra,
    }

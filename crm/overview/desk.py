"""Today's desk per agent, the open complaints by age and owner, and what comes tomorrow.

Every figure is one GROUP BY over the store's rows; Python only lays out the few groups.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, true
from sqlmodel import Session, select

from crm.calls.complaints import overdue_condition
from crm.calls.desk import on_list
from crm.models import (
    Agent,
    Channel,
    Complaint,
    ComplaintStatus,
    ContactAttempt,
    Customer,
    FollowupTask,
    SmsMessage,
    SmsStatus,
    TaskStatus,
)

# Open complaints by how long ago they came in, in days (the last bucket has no end).
AGE_BUCKETS = ((0, 1), (1, 3), (3, 7), (7, None))
URGENT_SHOWN = 10


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def agents_today(session: Session, store_id: int, day: date, day_start: datetime) -> list[dict]:
    """Each agent's calls on today's list (and how many overdue), and the calls logged today.

    The same definitions as the agent's own My day: the list is `on_list`, done is each
    call logged since the day began.
    """
    listed = {
        agent_id: (int(open_), int(overdue))
        for agent_id, open_, overdue in session.execute(
            select(
                FollowupTask.agent_id,
                func.count(),
                _count_if(FollowupTask.due_date < day),
            )
            .where(*on_list(store_id, day))
            .group_by(FollowupTask.agent_id)
        )
    }
    # From today's attempts (by their time) to their calls: `store_id + 0` keeps SQLite
    # off the store's index, which would walk every call the store ever had.
    done = dict(
        session.execute(
            select(ContactAttempt.agent_id, func.count())
            .join(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
            .where(FollowupTask.store_id + 0 == store_id, ContactAttempt.attempted_at >= day_start)
            .group_by(ContactAttempt.agent_id)
        ).all()
    )
    rows = []
    for agent_id, code, name, active in session.execute(
        select(Agent.id, Agent.code, Agent.name, Agent.active)
        .where(Agent.store_id == store_id)
        .order_by(Agent.code)
    ):
        open_, overdue = listed.get(agent_id, (0, 0))
        logged = int(done.get(agent_id, 0))
        if not active and not (open_ or logged):
            continue  # a former agent with nothing today is no one's concern
        rows.append(
            {
                "code": code,
                "name": name,
                "active": active,
                "open": open_,
                "overdue": overdue,
                "done": logged,
            }
        )
    if None in listed or None in done:  # calls nobody has: a planning or assignment gap
        open_, overdue = listed.get(None, (0, 0))
        rows.append(
            {
                "code": None,
                "name": None,
                "active": False,
                "open": open_,
                "overdue": overdue,
                "done": int(done.get(None, 0)),
            }
        )
    return rows


def open_complaints(session: Session, store_id: int, zone: ZoneInfo, now: datetime) -> dict:
    """Open complaints per owner (the agent who took them) by age, overdue first; the most
    urgent ones listed."""
    late = overdue_condition(now)
    ages = [
        _count_if(
            (Complaint.received_at <= now - timedelta(days=low))
            & (true() if high is None else Complaint.received_at > now - timedelta(days=high))
        )
        for low, high in AGE_BUCKETS
    ]
    grouped = session.execute(
        select(Complaint.agent_id, Agent.code, Agent.name, func.count(), _count_if(late), *ages)
        .outerjoin(Agent, Agent.id == Complaint.agent_id)
        .where(Complaint.store_id == store_id, Complaint.status == ComplaintStatus.OPEN)
        .group_by(Complaint.agent_id, Agent.code, Agent.name)
    ).all()
    owners = [
        {
            "code": code,
            "name": name,
            "open": int(total),
            "overdue": int(overdue),
            "by_age": [int(n) for n in by_age],
        }
        for _id, code, name, total, overdue, *by_age in grouped
    ]
    owners.sort(key=lambda row: (-row["overdue"], -row["open"], row["code"] or ""))
    urgent = session.execute(
        select(
            Complaint.id,
            Complaint.category,
            Complaint.department,
            Complaint.received_at,
            Complaint.resolve_by,
            Customer.name,
            Agent.name,
            late.label("late"),
        )
        .join(Customer, Customer.id == Complaint.customer_id)
        .outerjoin(Agent, Agent.id == Complaint.agent_id)
        .where(Complaint.store_id == store_id, Complaint.status == ComplaintStatus.OPEN)
        .order_by(case((late, 0), else_=1), Complaint.received_at, Complaint.id)
        .limit(URGENT_SHOWN)
    ).all()
    return {
        "ages": [list(bucket) for bucket in AGE_BUCKETS],
        "owners": owners,
        "open": sum(row["open"] for row in owners),
        "overdue": sum(row["overdue"] for row in owners),
        "urgent": [
            {
                "complaint_id": cid,
                "category": category,
                "department": department,
                "customer": customer,
                "owner": owner,
                "received_at": received.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "resolve_by": resolve_by.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if resolve_by
                else None,
                "age_days": (now - received).days,
                "overdue": bool(is_late),
            }
            for cid, category, department, received, resolve_by, customer, owner, is_late in urgent
        ],
    }


def tomorrow(session: Session, store_id: int, day: date) -> dict:
    """What comes due on `day` by kind: calls whose deadline it is, calls that open on it,
    and messages planned for it (planning adds more that morning)."""
    t = FollowupTask
    calls = session.execute(
        select(t.kind, _count_if(t.due_date == day), _count_if(t.window_start == day))
        .where(
            t.store_id == store_id,
            t.status == TaskStatus.OPEN,
            t.channel == Channel.PHONE,
            (t.due_date == day) | (t.window_start == day),
        )
        .group_by(t.kind)
    ).all()
    messages = session.execute(
        select(SmsMessage.kind, func.count())
        .where(
            SmsMessage.store_id == store_id,
            SmsMessage.status == SmsStatus.QUEUED,
            SmsMessage.planned_for == day,
        )
        .group_by(SmsMessage.kind)
    ).all()
    kinds: dict[str, dict] = {}
    for kind, due, opening in calls:
        kinds.setdefault(kind, {"due": 0, "opening": 0, "sms": 0})
        kinds[kind].update(due=int(due), opening=int(opening))
    for kind, count in messages:
        kinds.setdefault(kind, {"due": 0, "opening": 0, "sms": 0})["sms"] = int(count)
    rows = [{"kind": kind, **counts} for kind, counts in sorted(kinds.items())]
    return {
        "date": day.isoformat(),
        "kinds": rows,
        "calls_due": sum(row["due"] for row in rows),
        "calls_opening": sum(row["opening"] for row in rows),
        "sms": sum(row["sms"] for row in rows),
    }


def sms_queued(session: Session, store_id: int) -> int:
    """Messages waiting to go now (queued, whatever their day)."""
    return session.execute(
        select(func.count())
        .select_from(SmsMessage)
        .where(SmsMessage.store_id == store_id, SmsMessage.status == SmsStatus.QUEUED)
    ).scalar_one()

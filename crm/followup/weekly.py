"""At most `followup.max_calls_per_customer_per_week` calls to one customer in any 7 days.

A customer called that often has their other calls wait until the oldest of those calls
is a week old: set when a call is logged (their open calls) and when planning adds a
call. Complaint calls are owed by their deadlines and a callback time is the customer's
own wish: neither waits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from crm.db import one_of, read
from crm.models import Channel, ContactAttempt, FollowupTask, TaskStatus
from crm.vocabulary.kinds import Kind

WEEK = timedelta(days=7)
NEVER_WAIT = (Kind.COMPLAINT_FOLLOWUP, Kind.COMPLAINT_CONFIRMATION)


def free_on(
    session: Session, customer_ids, now: datetime, zone: ZoneInfo, cap: int
) -> dict[int, date]:
    """The customers among `customer_ids` called `cap` times in the last 7 days, each with
    the day their next call may come (the oldest of those calls plus a week)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = read(
        session,
        select(ContactAttempt.customer_id, func.count(), func.min(ContactAttempt.attempted_at))
        .where(
            one_of(session, ContactAttempt.customer_id, ids),
            ContactAttempt.attempted_at > now - WEEK,
        )
        .group_by(ContactAttempt.customer_id),
    ).all()
    return {
        customer_id: (oldest.astimezone(zone) + WEEK).date()
        for customer_id, count, oldest in rows
        if count >= cap
    }


def hold_others(
    session: Session, customer_id: int, logged_task_id: int, now: datetime, zone, cap: int
) -> int:
    """After a call: when the customer has had `cap` calls this week, their other open
    calls wait until the week frees up; returns how many now wait."""
    until = free_on(session, [customer_id], now, zone, cap).get(customer_id)
    if until is None:
        return 0
    return session.execute(
        update(FollowupTask)
        .where(
            FollowupTask.customer_id == customer_id,
            FollowupTask.id != logged_task_id,
            FollowupTask.status == TaskStatus.OPEN,
            FollowupTask.channel == Channel.PHONE,
            FollowupTask.kind.not_in(NEVER_WAIT),
            FollowupTask.callback_at.is_(None),
            or_(FollowupTask.next_try_on.is_(None), FollowupTask.next_try_on < until),
        )
        .values(next_try_on=until, updated_at=now)
    ).rowcount


def hold_new(tasks: list[dict], waiting: dict[int, date]) -> None:
    """New calls for customers called enough this week wait until it frees up."""
    for task in tasks:
        until = waiting.get(task["customer_id"])
        if until is not None and task["kind"] not in NEVER_WAIT:
            task["next_try_on"] = max(task.get("next_try_on") or until, until)

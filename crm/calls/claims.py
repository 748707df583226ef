"""'Being called by': a console user holds an open call for a few minutes while its card is open.

A claim is a conditional UPDATE whose row count says who won, and the call's log checks
the same condition in its own UPDATE, so two agents can never log one call at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, select

from crm.models import FollowupTask, TaskStatus, User


@dataclass(frozen=True)
class Claim:
    mine: bool
    holder: str | None  # the holder's name while someone else holds it
    until: datetime | None
    holder_id: int | None = None


def free_for(user_id: int | None, now: datetime) -> ColumnElement:
    """SQL true where `user_id` (None: someone outside the consoles) may act on a task."""
    unheld = or_(FollowupTask.claimed_by.is_(None), FollowupTask.claimed_until <= now)
    if user_id is None:
        return unheld
    return or_(unheld, FollowupTask.claimed_by == user_id)


def claim(session: Session, task_id: int, user_id: int, now: datetime, minutes: int) -> Claim:
    """Hold `task_id` for `user_id` (renewing their own hold), or say who holds it."""
    until = now + timedelta(minutes=minutes)
    # One card at a time: opening another call lets go of the last one.
    session.execute(
        update(FollowupTask)
        .where(FollowupTask.claimed_by == user_id, FollowupTask.id != task_id)
        .values(claimed_by=None, claimed_until=None)
    )
    won = session.execute(
        update(FollowupTask)
        .where(
            FollowupTask.id == task_id,
            FollowupTask.status == TaskStatus.OPEN,
            free_for(user_id, now),
        )
        .values(claimed_by=user_id, claimed_until=until)
    ).rowcount
    session.commit()
    if won:
        return Claim(True, None, until)
    return holder(session, task_id, now) or Claim(False, None, None)


def holder(session: Session, task_id: int, now: datetime) -> Claim | None:
    """Who holds `task_id` now, if anyone."""
    row = session.execute(
        select(User.id, User.name, FollowupTask.claimed_until)
        .join(User, User.id == FollowupTask.claimed_by)
        .where(FollowupTask.id == task_id, FollowupTask.claimed_until > now)
    ).first()
    return Claim(False, row.name, row.claimed_until, row.id) if row else None


def holders(session: Session, task_ids: list[int], now: datetime) -> dict[int, tuple[int, str]]:
    """For a page of calls: the ones someone holds now, with (user id, name)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(FollowupTask.id, User.id, User.name)
        .join(User, User.id == FollowupTask.claimed_by)
        .where(and_(FollowupTask.id.in_(task_ids), FollowupTask.claimed_until > now))
    ).all()
    return {task_id: (user_id, name) for task_id, user_id, name in rows}

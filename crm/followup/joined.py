"""One stop per customer: a maintenance reminder due while the car's service callback is
open is said on that callback, not made a second call to the same person.

The reminder is still planned (its key keeps it exactly once) but held off the list
while the callback is open; the callback carries `maintenance_due` for its talking
points. A reached callback settles the reminder too (`crm.calls.results`); a callback
that closes otherwise (unreachable, refused) releases it to come due on its own.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from crm.db import one_of, read
from crm.models import FollowupTask, TaskStatus
from crm.vocabulary.kinds import Kind

HELD = date(2999, 12, 31)  # off every list until its callback settles or releases it


def join_reminders(session: Session, tasks: list[dict]) -> list[tuple[dict, dict | int]]:
    """Take the maintenance reminders that can ride on an open service callback out of
    `tasks`; returns (reminder row, callback row of this batch or stored callback id)."""
    reminders = [t for t in tasks if t["kind"] == Kind.MAINTENANCE_CALL and t["vehicle_id"]]
    if not reminders:
        return []
    in_batch = {t["vehicle_id"]: t for t in tasks if t["kind"] == Kind.SERVICE_CALLBACK}
    stored = {
        vehicle_id: (task_id, window_start, due)
        for task_id, vehicle_id, window_start, due in session.execute(
            select(
                FollowupTask.id,
                FollowupTask.vehicle_id,
                FollowupTask.window_start,
                FollowupTask.due_date,
            ).where(
                FollowupTask.kind == Kind.SERVICE_CALLBACK,
                FollowupTask.status == TaskStatus.OPEN,
                one_of(session, FollowupTask.vehicle_id, [t["vehicle_id"] for t in reminders]),
            )
        )
    }
    joined = []
    for reminder in reminders:
        vehicle = reminder["vehicle_id"]
        callback = in_batch.get(vehicle)
        # An open reminder stays on the list until done, so any open callback of the car
        # shares its days with it.
        # A stored callback first: a batch re-offers callbacks already planned (still owed
        # within catch-up), and their rows are not inserted again.
        if vehicle in stored:
            target = stored[vehicle][0]
        elif callback is not None:
            target = callback
        else:
            continue
        tasks.remove(reminder)
        reminder["next_try_on"] = HELD
        reminder["details"] = {**(reminder["details"] or {}), "joined_to": "service_callback"}
        joined.append((reminder, target))
    return joined


def mark_callback(target: dict, reminder: dict) -> None:
    """Let a callback planned in the same batch say the maintenance reminder."""
    target["details"] = {**(target["details"] or {}), "maintenance_due": _due(reminder)}


def mark_stored_callbacks(session: Session, joined: list[tuple[dict, int]]) -> None:
    """Let stored callbacks say their new reminders: one read of their details, then one
    UPDATE statement executed for each (a first run joins hundreds). Task objects the
    session holds are not refreshed: the planner's session loads none of these."""
    if not joined:
        return
    tasks = FollowupTask.__table__
    # Statements, not the ORM: the planner's session may hold the rows from earlier reads.
    details = dict(
        read(
            session,
            select(tasks.c.id, tasks.c.details).where(
                one_of(session, tasks.c.id, [target for _reminder, target in joined])
            ),
        ).all()
    )
    for reminder, target in joined:
        details[target] = {**(details[target] or {}), "maintenance_due": _due(reminder)}
    session.execute(
        update(tasks)
        .where(tasks.c.id == bindparam("target"))
        .values(details=bindparam("said", type_=tasks.c.details.type)),
        [{"target": target, "said": said} for target, said in details.items()],
    )


def _due(reminder: dict) -> str | None:
    return (reminder["details"] or {}).get("predicted_on")


def settle_reminders(session: Session, task: FollowupTask, now, today: date) -> tuple[str, list]:
    """After a call on a callback that said the reminder: reached settles the car's held
    reminder (done), a callback closed otherwise releases it for tomorrow's list; an
    unanswered callback still open keeps it held. Returns (what happened, reminder ids)."""
    if task.kind != Kind.SERVICE_CALLBACK or not (task.details or {}).get("maintenance_due"):
        return "", []
    if task.status == TaskStatus.OPEN:
        return "", []
    ids = list(
        session.execute(
            select(FollowupTask.id).where(
                FollowupTask.kind == Kind.MAINTENANCE_CALL,
                FollowupTask.vehicle_id == task.vehicle_id,
                FollowupTask.status == TaskStatus.OPEN,
                FollowupTask.next_try_on == HELD,
            )
        ).scalars()
    )
    if not ids:
        return "", []
    held = update(FollowupTask).where(FollowupTask.id.in_(ids))
    if task.status == TaskStatus.DONE:
        session.execute(
            held.values(status=TaskStatus.DONE, closed_at=now, next_try_on=None, updated_at=now)
        )
        return "done on the same call", ids
    session.execute(held.values(next_try_on=today + timedelta(days=1), updated_at=now))
    return "now on the list on its own", ids

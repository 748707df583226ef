"""Job health: when each store's day was planned, when SMS dispatch last ran, what is late.

Planning keeps a row per run (PlanningRun); dispatch, which runs every minute for every
store at once, keeps only its last run (JobLastRun). A store's day is late when it is not
planned by 07:00 of its own clock; dispatch is late when it has not run for 10 minutes
while the store's clock is inside the send window (outside it nothing is due anyway).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm.models import JobLastRun, PlanningRun, SchedulerLock

DISPATCH = "sms_dispatch"
PLANNED_BY = time(7, 0)  # a store's day must be planned by 07:00 of its own clock
DISPATCH_SILENCE = timedelta(minutes=10)


def record_run(session: Session, name: str, now: datetime) -> None:
    """Note that job `name` ran to its end at `now` (one row per job, overwritten)."""
    table = JobLastRun.__table__
    values = {"finished_at": now, "host": socket.gethostname()[:128]}
    if session.execute(update(table).where(table.c.name == name).values(**values)).rowcount:
        session.commit()
        return
    try:
        session.execute(insert(table).values(name=name, **values))
        session.commit()
    except IntegrityError:  # another process wrote the first row meanwhile
        session.rollback()
        session.execute(update(table).where(table.c.name == name).values(**values))
        session.commit()


@dataclass(frozen=True)
class StoreClock:
    """What health needs of a store: which, its zone, its today."""

    store_id: int
    code: str
    name: str
    zone: ZoneInfo
    today: date


def job_health(
    session: Session,
    stores: list[StoreClock],
    now: datetime,
    planning_time: time,
    send_window: tuple[time, time],
) -> list[dict]:
    """Each store's last planning run, its next one, and the red flags, in two queries."""
    ids = [store.store_id for store in stores]
    runs = {
        store_id: (day, finished)
        for store_id, day, finished in session.execute(
            select(
                PlanningRun.store_id, func.max(PlanningRun.day), func.max(PlanningRun.finished_at)
            )
            .where(PlanningRun.store_id.in_(ids), PlanningRun.finished_at.is_not(None))
            .group_by(PlanningRun.store_id)
        )
    }
    dispatched = session.execute(
        select(JobLastRun.finished_at).where(JobLastRun.name == DISPATCH)
    ).scalar_one_or_none()
    scheduler = session.exec(select(SchedulerLock).where(SchedulerLock.expires_at > now)).first()
    entries = []
    for store in stores:
        local = now.astimezone(store.zone)
        day, finished = runs.get(store.store_id, (None, None))
        planned_today = day is not None and day >= store.today
        start, end = send_window
        in_window = start <= local.time() < end
        silent = dispatched is None or now - dispatched > DISPATCH_SILENCE
        entries.append(
            {
                "store": store.code,
                "store_name": store.name,
                "last_planned_day": day.isoformat() if day else None,
                "last_planned_at": _local(finished, store.zone),
                "next_planning_at": _next_planning(local, planned_today, finished, planning_time),
                "planning_late": not planned_today and local.time() >= PLANNED_BY,
                "dispatch_last_at": _local(dispatched, store.zone),
                "in_send_window": in_window,
                "dispatch_late": in_window and silent,
                "scheduler": scheduler.host if scheduler else None,
            }
        )
    return entries


def _next_planning(
    local: datetime, planned_today: bool, finished: datetime | None, planning_time: time
) -> str:
    """When the scheduler next plans the store: today at 06:30, at once if late, or tomorrow.

    A run before 06:30 (by hand, or a scheduler started at night) is planned again at
    06:30, so what came in overnight reaches the morning's list.
    """
    day = local.date()
    early = finished is not None and finished.astimezone(local.tzinfo).time() < planning_time
    if planned_today and not (early and local.time() < planning_time):
        day += timedelta(days=1)
    elif local.time() >= planning_time:
        return "due"  # the next quarter-hour check plans it
    return datetime.combine(day, planning_time).strftime("%Y-%m-%d %H:%M")


def _local(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else None

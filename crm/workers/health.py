"""What `crm status` tells about the workers: who is alive, each job's last and next run."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlmodel import Session

from crm.models import SchedulerLock
from crm.workers import schedule
from crm.workers.roster import WORKERS
from crm.workers.runs import DONE, FAILED, QUEUED, RUNNING, RUNS

STORE_JOBS = (schedule.PLANNING, schedule.MONTHLY_REPORT, schedule.SMS_DISPATCH)
SHARED_JOBS = (schedule.SMS_SYNC, schedule.HOUSEKEEPING)


def workers(session: Session, alive_within: timedelta) -> list[dict]:
    """The workers not stopped, newest heartbeat first; `alive` when it beat within reach."""
    age = func.statement_timestamp() - WORKERS.c.heartbeat_at
    rows = session.execute(
        select(WORKERS, age.label("age"))
        .where(WORKERS.c.stopped_at.is_(None))
        .order_by(WORKERS.c.heartbeat_at.desc())
    ).all()
    return [
        {
            "host": row.host,
            "pid": row.pid,
            "started_at": row.started_at.isoformat(),
            "last_heartbeat": row.heartbeat_at.isoformat(),
            "seconds_since_heartbeat": round(row.age.total_seconds(), 1),
            "running": row.running,
            "alive": row.age <= alive_within,
        }
        for row in rows
    ]


def scheduler_lock(session: Session) -> dict | None:
    """The single scheduler's lock (SQLite, or a database before the workers)."""
    lock = session.get(SchedulerLock, "scheduler")
    if lock is None:
        return None
    return {"host": lock.host, "pid": lock.pid, "lease_until": lock.expires_at.isoformat()}


def jobs(
    session: Session, stores: list[schedule.StoreClock], now: datetime, window: tuple[time, time]
) -> list[dict]:
    """Each job of each store (and each shared job): its last run, its next, how late.

    `lag_seconds`: how long the last run waited for a worker after its time came;
    `waiting_seconds`: how long the oldest run still waiting has waited (None: none waits).
    """
    latest = (
        select(RUNS.c.job, RUNS.c.scope, func.max(RUNS.c.scheduled_at).label("at"))
        .where(RUNS.c.status.in_((RUNNING, DONE, FAILED)))
        .group_by(RUNS.c.job, RUNS.c.scope)
        .subquery()
    )
    last = {
        (row.job, row.scope): row
        for row in session.execute(
            select(RUNS).join(
                latest,
                and_(
                    RUNS.c.job == latest.c.job,
                    RUNS.c.scope == latest.c.scope,
                    RUNS.c.scheduled_at == latest.c.at,
                ),
            )
        )
    }
    waiting = {
        (row.job, row.scope): row.at
        for row in session.execute(
            select(RUNS.c.job, RUNS.c.scope, func.min(RUNS.c.scheduled_at).label("at"))
            .where(RUNS.c.status == QUEUED)
            .group_by(RUNS.c.job, RUNS.c.scope)
        )
    }
    pairs = [(job, store.code, store.zone) for store in stores for job in STORE_JOBS]
    pairs += [(job, schedule.EVERY_STORE, None) for job in SHARED_JOBS]
    entries = []
    for job, scope, zone in pairs:
        run = last.get((job, scope))
        oldest = waiting.get((job, scope))
        entries.append(
            {
                "job": job,
                "store": scope,
                "timezone": zone.key if zone else "UTC",  # the clock its times are read on
                "last_scheduled": run.scheduled_at.isoformat() if run else None,
                "last_started": _iso(run.started_at) if run else None,
                "last_finished": _iso(run.finished_at) if run else None,
                "last_status": run.status if run else None,
                "attempts": run.attempts if run else 0,
                "error": run.error if run else None,
                "next": schedule.next_at(job, zone, now, window).isoformat(),
                "lag_seconds": _seconds(run.started_at - run.scheduled_at)
                if run and run.started_at
                else None,
                "waiting_seconds": _seconds(now - oldest) if oldest and oldest <= now else None,
            }
        )
    return entries


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _seconds(delta: timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0), 1)

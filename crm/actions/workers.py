"""The workers' share of the scheduled work: join, offer what is due, claim, run, finish.

Any number of `crm worker` processes call these on one PostgreSQL database; none leads.
Each run is one store's planning, one store's minute of SMS, one store's month report,
or a shared job (delivery reports and replies, housekeeping).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm.actions.context import every_store, open_store
from crm.actions.planning import is_due, plan_store
from crm.actions.reports import write_due_reports
from crm.actions.sms import ProviderError, send_due, sync
from crm.app import App
from crm.clock import utcnow
from crm.errors import CrmError


@dataclass(frozen=True)
class Claimed:
    id: int
    job: str
    scope: str  # a store's code, or "*"
    scheduled_at: datetime
    attempts: int


class WorkersNeedPostgres(CrmError):
    """Workers on SQLite: the CLI says which command runs the work there instead."""

    exit_code = 2


def on_postgresql(app: App) -> bool:
    return app.engine.dialect.name == "postgresql"


def require_postgresql(app: App) -> None:
    """Workers share their work through PostgreSQL's row locks; SQLite has one writer."""
    if not on_postgresql(app):
        raise WorkersNeedPostgres(
            "several workers share the work only on PostgreSQL; on SQLite one scheduler "
            "process does it",
            field="db",
        )


def join(app: App) -> int:
    """This process's row among the workers; returns its id."""
    from crm.workers import roster

    with app.session() as session:
        return roster.join(session, socket.gethostname(), os.getpid())


def beat(app: App, worker_id: int, run_ids: list[int]) -> tuple[bool, set[int]]:
    """Say this worker is alive and renew the leases of its runs.

    Returns whether its row still exists (a worker silent for a day was tidied away and
    must join again) and the runs still its own (one whose lease lapsed may be another's).
    """
    from crm.workers import roster, runs

    lease = timedelta(seconds=app.settings.workers.lease_seconds)
    with app.session() as session:
        known = roster.beat(session, worker_id, len(run_ids))
        return known, runs.renew(session, worker_id, run_ids, lease)


def leave(app: App, worker_id: int) -> None:
    from crm.workers import roster

    with app.session() as session:
        roster.leave(session, worker_id)


def offer_due(app: App) -> int:
    """Offer every slot that has come on each store's clock; returns how many runs this made."""
    from crm.workers import runs, schedule

    now = utcnow()
    stores = [schedule.StoreClock(ctx.code, ctx.zone) for ctx in every_store(app, now)]
    slots = schedule.due(stores, now, app.settings.sms.window)
    with app.session() as session:
        return runs.offer(session, slots)


def claim(app: App, worker_id: int) -> Claimed | None:
    """The oldest free run, now this worker's under a lease; None when nothing is free."""
    from crm.workers import runs

    lease = timedelta(seconds=app.settings.workers.lease_seconds)
    with app.session() as session:
        row = runs.claim(session, worker_id, lease, utcnow())
    return Claimed(*row) if row else None


def run(app: App, claimed: Claimed, sender) -> dict:
    """Do the run's work; returns what it did (logged, and kept on the run's row)."""
    from crm.workers import schedule

    if claimed.job == schedule.PLANNING:
        ctx = open_store(app, claimed.scope)
        if not is_due(ctx):
            return {"planned": False, "why": "planned since 06:30 already"}
        return plan_store(ctx).as_json()
    if claimed.job == schedule.MONTHLY_REPORT:
        ctx = open_store(app, claimed.scope)
        return {"written": [str(path) for path in write_due_reports(ctx, only_missing=True)]}
    if claimed.job == schedule.SMS_DISPATCH:
        settled, result = send_due(app, sender, store_code=claimed.scope)
        return result.as_json() | {"reconciled": dict(settled)}
    if claimed.job == schedule.SMS_SYNC:
        if sender.name == "console":
            return {}  # nothing was sent anywhere, nobody can reply
        try:
            return sync(app, sender)
        except ProviderError as exc:
            return {"error": str(exc)}  # the next run tries again; nothing half-written
    if claimed.job == schedule.HOUSEKEEPING:
        return tidy(app)
    raise CrmError(f"unknown job {claimed.job!r}")


def finish(
    app: App, worker_id: int, claimed: Claimed, result: dict | None = None, error: str | None = None
) -> bool:
    """Record the run's end (a failure is retried later, by any worker); False when the
    run was no longer ours (its lease lapsed and another worker took it)."""
    from crm.workers import runs

    with app.session() as session:
        return runs.finish(session, claimed.id, worker_id, utcnow(), result, error)


def tidy(app: App) -> dict:
    """Forget runs a week old and workers silent for a day; give up on runs that lost
    their worker at every attempt."""
    from crm.workers import roster, runs

    with app.session() as session:
        done = runs.tidy(session, utcnow())
        return done | {"forgotten_workers": roster.forget_silent(session)}


def worker_status(app: App) -> dict:
    """The live workers (host, pid, last heartbeat), each job's last and next run per store
    and its lag; on SQLite, who holds the single scheduler's lock."""
    from crm.workers import health, schedule

    now = utcnow()
    settings = app.settings.workers
    with app.session() as session:
        lock = health.scheduler_lock(session)
        if not on_postgresql(app):
            return {"database": "sqlite", "scheduler": lock, "workers": [], "jobs": []}
        stores = [schedule.StoreClock(ctx.code, ctx.zone) for ctx in every_store(app, now)]
        alive_within = timedelta(seconds=settings.heartbeat_seconds * 3)
        return {
            "database": "postgresql",
            "scheduler": lock,
            "workers": health.workers(session, alive_within),
            "jobs": health.jobs(session, stores, now, app.settings.sms.window),
        }


def database_lost(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached (or dropped the connection):
    a worker waits and tries again, rather than logging a traceback at every poll."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from crm.errors import DatabaseUnavailable

    return isinstance(exc, OperationalError | InterfaceError | DatabaseUnavailable)

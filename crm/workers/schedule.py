"""When each job is due: pure functions of the stores' clocks, never of the database.

A slot is (job, scope, scheduled_at): the scope is a store's code, or "*" for work
across every store. Every worker computes the same slots from the same clock, and the
unique key on job_run makes one row of each, whichever worker offers it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

PLANNING = "planning"
MONTHLY_REPORT = "monthly_report"
SMS_DISPATCH = "sms_dispatch"
SMS_SYNC = "sms_sync"
HOUSEKEEPING = "housekeeping"
JOBS = (PLANNING, MONTHLY_REPORT, SMS_DISPATCH, SMS_SYNC, HOUSEKEEPING)
EVERY_STORE = "*"

PLANNING_TIME = time(6, 30)  # each store's day, before its desk opens
REPORT_EVERY = timedelta(hours=1)  # the month report job: due from report.scheduled_hour
SYNC_EVERY = timedelta(minutes=5)
HOUSEKEEPING_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Slot:
    job: str
    scope: str
    at: datetime  # UTC


@dataclass(frozen=True)
class StoreClock:
    code: str
    zone: ZoneInfo


def due(stores: list[StoreClock], now: datetime, window: tuple[time, time]) -> list[Slot]:
    """The latest slot of every job that has come by `now` (the ones still to run).

    1. Planning: the store's 06:30 of its today, from 06:30 until its midnight; a day
       whose 06:30 passed while no worker ran is planned as soon as one runs (the
       planner catches up the days missed).
    2. The month's report job, hourly per store: it writes last month's report once due
       (`report.scheduled_hour` on the 1st, store time) and missing, and rewrites a month
       whose visits were imported since it was written (crm.actions.reports).
    3. SMS dispatch: each minute of the store's send window, one slot per store, so the
       stores' messages go out from several workers at once.
    4. Delivery reports and replies every 5 minutes, and housekeeping hourly, once for
       every store.
    """
    slots = []
    for store in stores:
        local = now.astimezone(store.zone)
        planning = _at(local, PLANNING_TIME, store.zone)
        if planning <= now:
            slots.append(Slot(PLANNING, store.code, planning))
        slots.append(Slot(MONTHLY_REPORT, store.code, _floor(now, REPORT_EVERY)))
        if window[0] <= local.time() < window[1]:
            minute = now.replace(second=0, microsecond=0)
            slots.append(Slot(SMS_DISPATCH, store.code, minute))
    slots.append(Slot(SMS_SYNC, EVERY_STORE, _floor(now, SYNC_EVERY)))
    slots.append(Slot(HOUSEKEEPING, EVERY_STORE, _floor(now, HOUSEKEEPING_EVERY)))
    return slots


def next_at(job: str, zone: ZoneInfo | None, now: datetime, window: tuple[time, time]) -> datetime:
    """When `job` is next due after `now` (for a store's zone; None for every store)."""
    if job == SMS_SYNC:
        return _floor(now, SYNC_EVERY) + SYNC_EVERY
    if job == HOUSEKEEPING or zone is None:
        return _floor(now, HOUSEKEEPING_EVERY) + HOUSEKEEPING_EVERY
    local = now.astimezone(zone)
    if job == PLANNING:
        today = _at(local, PLANNING_TIME, zone)
        return today if today > now else _at(local + timedelta(days=1), PLANNING_TIME, zone)
    if job == MONTHLY_REPORT:
        return _floor(now, REPORT_EVERY) + REPORT_EVERY
    # SMS dispatch: the next minute in the window, or the window's next opening.
    following = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    local = following.astimezone(zone)
    if window[0] <= local.time() < window[1]:
        return following
    day = local.date() if local.time() < window[0] else local.date() + timedelta(days=1)
    return datetime.combine(day, window[0], zone).astimezone(UTC)


def _at(local: datetime, moment: time, zone: ZoneInfo) -> datetime:
    """`moment` on `local`'s date in `zone`, as UTC."""
    return datetime.combine(local.date(), moment, zone).astimezone(UTC)


def _floor(now: datetime, step: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return epoch + ((now - epoch) // step) * step

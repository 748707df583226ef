"""When planning last ran for each store, and what it produced."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from crm.followup.planner import last_run
from crm.models import Store

# A store's day is planned at 06:30 of its clock; by 07:00 a missing plan is news.
PLANNED_BY = time(7, 0)


def planning_status(session: Session, local_now_of) -> list[dict]:
    """One entry per store; `local_now_of(store)` gives that store's own clock's now."""
    entries = []
    for store in session.exec(select(Store).order_by(Store.code)):
        run = last_run(session, store.id)
        local: datetime = local_now_of(store)
        today = local.date()
        entry = {
            "store": store.code,
            "today": today.isoformat(),
            "last_planned_day": run.day.isoformat() if run else None,
            "finished_at": run.finished_at.isoformat() if run else None,
            # The same moment on the store's own clock, as its people read the day.
            "finished_local": run.finished_at.astimezone(local.tzinfo).isoformat() if run else None,
            "timezone": store.timezone,
            "host": run.host if run else None,
            "created": run.created if run else {},
            "skipped": run.skipped if run else {},
            "warning": None,
        }
        if run is None:
            entry["warning"] = "planning has never run"
        elif run.day < today - timedelta(days=1) or (
            run.day < today and local.time() >= PLANNED_BY
        ):
            entry["warning"] = f"today's planning has not run by 07:00 (last: {run.day})"
        entries.append(entry)
    return entries

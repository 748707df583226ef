"""When planning last ran for each store, and what it produced."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from crm.followup.planner import last_run
from crm.models import Store


def planning_status(session: Session, today_of) -> list[dict]:
    """One entry per store; `today_of(store)` gives that store's local today."""
    entries = []
    for store in session.exec(select(Store).order_by(Store.code)):
        run = last_run(session, store.id)
        today: date = today_of(store)
        entry = {
            "store": store.code,
            "today": today.isoformat(),
            "last_planned_day": run.day.isoformat() if run else None,
            "finished_at": run.finished_at.isoformat() if run else None,
            "host": run.host if run else None,
            "created": run.created if run else {},
            "skipped": run.skipped if run else {},
            "warning": None,
        }
        if run is None:
            entry["warning"] = "planning has never run"
        elif run.day < today:
            entry["warning"] = f"today's planning has not run (last: {run.day})"
        entries.append(entry)
    return entries

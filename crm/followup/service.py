"""Planning every store (or one) for its own day: what `crm plan` and the daily job call."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from crm.calls import assignment, complaints
from crm.clock import store_today
from crm.config import Settings
from crm.followup.planner import PlanResult, plan_day
from crm.models import Store
from crm.stores import get_store

DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected


def plan_stores(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    day: date | None = None,
    dry_run: bool = False,
    store_code: str | None = None,
) -> list[PlanResult]:
    """Plan `day` for each store; by default each store's today (tomorrow for a dry run)."""
    stores = (
        [get_store(session, store_code)]
        if store_code
        else list(session.exec(select(Store).order_by(Store.code)))
    )
    results = []
    for store in stores:
        target = day or store_today(ZoneInfo(store.timezone)) + timedelta(days=int(dry_run))
        for attempt in range(3):
            try:
                result = plan_day(session, store, target, settings, now, dry_run=dry_run)
                if not dry_run:
                    _desk_work(session, settings, store, now, result)
                results.append(result)
                break
            except OperationalError as exc:
                # Two planners on PostgreSQL can deadlock on each other's new keys; one
                # is chosen to fail, and planning again is safe (the keys are unique).
                if getattr(exc.orig, "sqlstate", None) != DEADLOCK or attempt == 2:
                    raise
                session.rollback()
    return results


def _desk_work(session: Session, settings: Settings, store: Store, now, result) -> None:
    """After planning: each open complaint's next progress call, then an agent for every call."""
    created = complaints.ensure_followups(session, settings, store, now)
    if created:
        result.created["complaint_followup"] += created
    session.commit()
    result.assigned = assignment.assign(session, store.id, now).assigned

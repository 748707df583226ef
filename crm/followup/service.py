"""Planning every store (or one) for its own day: what `crm plan` and the daily job call."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

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
                results.append(plan_day(session, store, target, settings, now, dry_run=dry_run))
                break
            except OperationalError as exc:
                # Two planners on PostgreSQL can deadlock on each other's new keys; one
                # is chosen to fail, and planning again is safe (the keys are unique).
                if getattr(exc.orig, "sqlstate", None) != DEADLOCK or attempt == 2:
                    raise
                session.rollback()
    return results

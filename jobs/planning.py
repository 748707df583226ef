"""The daily planning job: every store's day, one log line with counts and duration."""

from __future__ import annotations

import logging
import time

from crm.app import App
from crm.clock import utcnow
from crm.followup.service import plan_stores

log = logging.getLogger("crm.jobs")

# The scheduler's app. The persisted job names only this module's function, so no
# database URL (and no password in it) is ever written to the job store.
_app: App | None = None


def use(app: App) -> None:
    global _app
    _app = app


def daily_planning() -> list[dict]:
    """The scheduled job: plan today for every store of the scheduler's database."""
    if _app is None:
        raise RuntimeError("jobs.planning.use(app) must be called before the job runs")
    return run_planning(_app)


def run_planning(app: App) -> list[dict]:
    """Plan today for every store; safe to run any number of times (the keys are unique)."""
    started = time.perf_counter()
    with app.session() as session:
        results = plan_stores(session, app.settings, utcnow())
    for result in results:
        created = sum(result.created.values())
        detail = ", ".join(f"{kind} {n}" for kind, n in sorted(result.created.items()))
        log.info(
            "planning %s %s: created %d (%s), skipped %d, closed %d in %.1f s",
            result.store,
            result.day,
            created,
            detail or "nothing new",
            sum(result.skipped.values()),
            result.closed,
            time.perf_counter() - started,
        )
    return [r.as_json() for r in results]

"""The planning jobs: each store's day at 06:30 of its own clock, one log line per store."""

from __future__ import annotations

import logging
import time

from crm.actions.context import open_store, store_codes
from crm.actions.planning import is_due, plan_store
from crm.app import App

log = logging.getLogger("crm.jobs")

# The scheduler's app. The persisted job names only this module's function, so no
# database URL (and no password in it) is ever written to the job store.
_app: App | None = None


def use(app: App) -> None:
    global _app
    _app = app


def daily_planning() -> list[dict]:
    """The scheduled job (every 15 minutes): plan each store whose 06:30 has come today."""
    if _app is None:
        raise RuntimeError("jobs.planning.use(app) must be called before the job runs")
    return run_due_planning(_app)


def run_due_planning(app: App) -> list[dict]:
    """Plan the stores whose own clock passed 06:30 and whose today is not planned since."""
    return _store_by_store(app, only_due=True)


def run_planning(app: App) -> list[dict]:
    """Plan each store's own today (at start: catch up a stop); safe to run any number of times."""
    return _store_by_store(app, only_due=False)


def _store_by_store(app: App, only_due: bool) -> list[dict]:
    """One store's failure is logged and does not stop the others; the next check retries it."""
    started = time.perf_counter()
    results = []
    for code in store_codes(app):
        try:
            ctx = open_store(app, code)
            if not only_due or is_due(ctx):
                results.append(plan_store(ctx))
        except Exception:
            log.exception("planning %s failed; the next check tries again", code)
    return _logged(results, started)


def _logged(results, started: float) -> list[dict]:
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


def plan_at_start() -> list[dict]:
    """Once at scheduler start: each store's today, catching up the days a stop missed."""
    if _app is None:
        raise RuntimeError("jobs.planning.use(app) must be called before the job runs")
    return run_planning(_app)

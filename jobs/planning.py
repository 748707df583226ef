"""The daily planning job: every store's day, one log line with counts and duration."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from crm.app import App
from crm.clock import utcnow
from crm.config import load_settings
from crm.followup.service import plan_stores

log = logging.getLogger("crm.jobs")


def daily_planning(database_url: str, config_path: str | None) -> list[dict]:
    """Plan today for every store; safe to run any number of times (the keys are unique)."""
    started = time.perf_counter()
    app = App(
        settings=load_settings(Path(config_path) if config_path else None),
        database_url=database_url,
    )
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

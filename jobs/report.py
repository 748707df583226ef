"""The monthly report job: on the 1st, last month's summary for every store, as files."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm.app import App
from crm.clock import utcnow
from crm.models import Store
from crm.report import Month, file_name, write_reports

log = logging.getLogger("crm.jobs")

# As in jobs.planning: the persisted job names only this module's function.
_app: App | None = None


def use(app: App) -> None:
    global _app
    _app = app


def monthly_report() -> list[str]:
    """The scheduled job: last month's report for every store of the scheduler's database."""
    if _app is None:
        raise RuntimeError("jobs.report.use(app) must be called before the job runs")
    return run_monthly_reports(_app)


def missing_reports() -> list[str]:
    """At scheduler start: write last month's reports that a long stop left unwritten."""
    if _app is None:
        raise RuntimeError("jobs.report.use(app) must be called before the job runs")
    return run_monthly_reports(_app, only_missing=True)


def run_monthly_reports(app: App, only_missing: bool = False) -> list[str]:
    """Write each store's report of the month before today (store time); returns the paths.

    Safe to repeat: a run rewrites the same files whole. With `only_missing`, a store
    whose files all exist is left alone.
    """
    now = utcnow()
    written: list[str] = []
    with app.session() as session:
        stores = session.exec(select(Store).order_by(Store.code)).all()
        for store in stores:
            month = Month.of(now.astimezone(ZoneInfo(store.timezone)).date()).previous()
            folder = Path(app.settings.report.output_dir)
            if only_missing and all(
                (folder / file_name(store.code, month, fmt)).exists()
                for fmt in app.settings.report.formats
            ):
                continue
            started = time.perf_counter()
            paths = write_reports(session, store, month, app.settings, now)
            log.info(
                "report %s %s: wrote %s in %.1f s",
                store.code,
                month,
                ", ".join(p.name for p in paths),
                time.perf_counter() - started,
            )
            written += [str(p) for p in paths]
    return written

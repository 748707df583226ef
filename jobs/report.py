"""The monthly report job: from 07:00 on the 1st (each store's time), last month's files."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm.app import App
from crm.clock import utcnow
from crm.models import Store
from crm.report import Month, file_name, write_reports

log = logging.getLogger("crm.jobs")

# A store's last month is due at 07:00 on the 1st of its own clock.
REPORT_HOUR = 7

# As in jobs.planning: the persisted job names only this module's function.
_app: App | None = None


def use(app: App) -> None:
    global _app
    _app = app


def monthly_report() -> list[str]:
    """The scheduled (hourly) job: every store's due report that is not yet written."""
    if _app is None:
        raise RuntimeError("jobs.report.use(app) must be called before the job runs")
    return run_monthly_reports(_app, only_missing=True)


def missing_reports() -> list[str]:
    """At scheduler start: write the due reports that a long stop left unwritten."""
    return monthly_report()


def due_month(now: datetime, zone: ZoneInfo) -> Month:
    """The latest month whose report is due at `now` in `zone`: last month from 07:00 on the 1st."""
    local = now.astimezone(zone).replace(tzinfo=None)
    return Month.of((local - timedelta(hours=REPORT_HOUR)).date()).previous()


def run_monthly_reports(app: App, only_missing: bool = False) -> list[str]:
    """Write each store's due report (see `due_month`, store time); returns the paths.

    The scheduler's zone is not every store's: the job runs every hour and each store
    gets its report once its own clock passes 07:00 on the 1st. Safe to repeat: a run
    rewrites the same files whole; with `only_missing`, a store whose files all exist
    is left alone. One store's failure is logged and does not stop the others; the
    next run tries it again.
    """
    now = utcnow()
    with app.session() as session:
        stores = session.exec(select(Store.id, Store.code, Store.timezone).order_by(Store.code))
        stores = stores.all()
    written: list[str] = []
    for store_id, code, zone in stores:
        try:
            paths = _write_due(app, store_id, code, ZoneInfo(zone), now, only_missing)
        except Exception:
            log.exception("report %s failed; the next run tries again", code)
            continue
        written += [str(p) for p in paths]
    return written


def _write_due(
    app: App, store_id: int, code: str, zone: ZoneInfo, now: datetime, only_missing: bool
) -> list[Path]:
    month = due_month(now, zone)
    folder = Path(app.settings.report.output_dir)
    formats = app.settings.report.formats
    if only_missing and all((folder / file_name(code, month, fmt)).exists() for fmt in formats):
        return []
    started = time.perf_counter()
    with app.session() as session:
        paths = write_reports(session, session.get(Store, store_id), month, app.settings, now)
    log.info(
        "report %s %s: wrote %s in %.1f s",
        code,
        month,
        ", ".join(p.name for p in paths),
        time.perf_counter() - started,
    )
    return paths

"""The monthly report job: last month's files from `report.scheduled_hour` (10:00) on the
1st, each store's time; rewritten when that month's visits are imported later."""

from __future__ import annotations

import logging
import time

from crm.actions.context import open_store, store_codes
from crm.actions.reports import due_month, write_due_reports
from crm.app import App

log = logging.getLogger("crm.jobs")

__all__ = ["due_month", "missing_reports", "monthly_report", "run_monthly_reports", "use"]

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


def run_monthly_reports(app: App, only_missing: bool = False) -> list[str]:
    """Write each store's due report (see `due_month`, store time); returns the paths.

    The scheduler's zone is not every store's: the job runs every hour and each store
    gets its report once its own clock passes `report.scheduled_hour` on the 1st. One
    store's failure is logged and does not stop the others; the next run tries it again.
    """
    written: list[str] = []
    for code in store_codes(app):
        started = time.perf_counter()
        try:
            ctx = open_store(app, code)
            paths = write_due_reports(ctx, only_missing)
        except Exception:
            log.exception("report %s failed; the next run tries again", code)
            continue
        if paths:
            log.info(
                "report %s: wrote %s in %.1f s",
                ctx.code,
                ", ".join(p.name for p in paths),
                time.perf_counter() - started,
            )
        written += [str(p) for p in paths]
    return written

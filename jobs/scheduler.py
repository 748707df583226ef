"""`crm scheduler run`: APScheduler with its jobs persisted in the product's own database.

Jobs persist, coalesce and have a generous misfire grace, so a scheduler restarted
after a stop runs each missed job once; the jobs themselves are idempotent and catch
up, so a restart never repeats or skips work. Only one scheduler runs per database.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from crm.app import App
from crm.clock import utcnow
from jobs import lock, planning, report, sms

log = logging.getLogger("crm.jobs")

JOB_DEFAULTS = {
    "coalesce": True,  # many missed runs become one
    "max_instances": 1,
    "misfire_grace_time": int(timedelta(hours=12).total_seconds()),
}


def build(app: App, kind: type[BaseScheduler] = BackgroundScheduler):
    """The scheduler with its persistent jobs registered (replacing older definitions)."""
    scheduler = kind(
        jobstores={
            "default": SQLAlchemyJobStore(engine=app.engine, tablename="apscheduler_jobs"),
            "memory": MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults=JOB_DEFAULTS,
        timezone=app.settings.store.zone,
    )
    # Every quarter hour, not one 06:30 cron: each store is planned at 06:30 of its own
    # zone, and every zone's offset is a whole number of quarter hours.
    scheduler.add_job(
        "jobs.planning:daily_planning",
        "cron",
        minute="0,15,30,45",
        id="daily_planning",
        name="daily planning (each store at 06:30 its own time; checked every 15 minutes)",
        replace_existing=True,
    )
    # Hourly, not a 10:00 cron: stores in other zones than the scheduler's reach the hour
    # on the 1st at other hours, and the job writes a store's report only once it is due
    # (and again when that month's visits are imported later).
    scheduler.add_job(
        "jobs.report:monthly_report",
        "cron",
        minute=0,
        id="monthly_report",
        name="last month's report (hourly; each store's from report.scheduled_hour on the 1st)",
        replace_existing=True,
    )
    scheduler.add_job(
        "jobs.sms:sms_dispatch",
        "interval",
        minutes=1,
        id="sms_dispatch",
        name="SMS dispatch (every minute, in the send window)",
        replace_existing=True,
        # A missed minute is simply the next minute's work.
        misfire_grace_time=60,
    )
    scheduler.add_job(
        "jobs.sms:sms_sync",
        "interval",
        minutes=5,
        id="sms_sync",
        name="SMS delivery reports and replies (every 5 minutes; not for the console)",
        replace_existing=True,
        misfire_grace_time=300,
    )
    return scheduler


def run(app: App) -> None:
    """Hold the lock, plan once now, then run the jobs until Ctrl-C or SIGTERM.

    A signal only sets `stopping`; the main thread alone shuts the scheduler down, once.
    Calling `shutdown()` from the handler raced APScheduler's own start-up and main loop
    (SchedulerNotRunningError in about one SIGTERM of four, and at every second one).
    """
    stopping = threading.Event()

    def request_stop(*_) -> None:
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_stop)
    try:
        _run_until_stopped(app, stopping)
    finally:
        # Stopped, lock released: a late signal must not kill the exit (status -15).
        # Ignored rather than handled, as Python puts its own handlers back to the
        # default (death) while the interpreter shuts down.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)


def configure_logging() -> None:
    """Our job lines at INFO; the libraries only when something is wrong."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    # twilio-python logs every request, its headers and its answer at INFO: 11 lines a
    # message, drowning the job lines.
    for noisy in ("apscheduler", "alembic", "twilio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _run_until_stopped(app: App, stopping: threading.Event) -> None:
    configure_logging()
    sms.use(app)  # a twilio backend without credentials stops here, before the lock is taken
    with app.session() as session:
        lock.acquire(session, utcnow())
    try:
        planning.use(app)
        report.use(app)
        scheduler = build(app)

        def heartbeat() -> None:
            with app.session() as session:
                if not lock.renew(session, utcnow()):
                    log.error("scheduler lock lost to another process; stopping")
                    stopping.set()

        scheduler.add_job(
            heartbeat,
            "interval",
            seconds=60,
            id="lock_heartbeat",
            jobstore="memory",
            replace_existing=True,
        )
        # Once at start, in threads of their own beside the scheduler (whose heartbeat keeps
        # the lease while a long catch-up runs). Not one-shot APScheduler jobs: removing a
        # fired job while a stop is under way raises JobLookupError in APScheduler's thread.
        at_start = [
            threading.Thread(target=_logged, args=(job,), name=job.__name__)
            for job in (planning.plan_at_start, report.missing_reports)
        ]
        log.info(
            "scheduler running: planning now and at 06:30 of each store's time, SMS every "
            "minute in the send window, delivery reports and replies every 5 minutes, last "
            "month's report on the 1st from report.scheduled_hour (checked hourly); Ctrl-C to stop"
        )
        if not stopping.is_set():
            scheduler.start()
            for thread in at_start:
                thread.start()
            while not stopping.wait(1):
                pass
            # Jobs under way finish (each is idempotent); new ones are not started.
            scheduler.shutdown(wait=True)
            for thread in at_start:
                thread.join()
    finally:
        with app.session() as session:
            lock.release(session)
        log.info("scheduler stopped")


def _logged(job) -> None:
    """Run a start-up job; its failure is logged as a scheduled job's would be."""
    try:
        job()
    except Exception:
        log.exception("%s failed", job.__name__)

"""`crm scheduler run`: APScheduler with its jobs persisted in the product's own database.

Jobs persist, coalesce and have a generous misfire grace, so a scheduler restarted
after a stop runs each missed job once; the jobs themselves are idempotent and catch
up, so a restart never repeats or skips work. Only one scheduler runs per database.
"""

from __future__ import annotations

import logging
import signal
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from crm.app import App
from crm.clock import utcnow
from jobs import lock, planning, report, sms

log = logging.getLogger("crm.jobs")

JOB_DEFAULTS = {
    "coalesce": True,  # many missed runs become one
    "max_instances": 1,
    "misfire_grace_time": int(timedelta(hours=12).total_seconds()),
}


def build(app: App, kind: type[BaseScheduler] = BlockingScheduler):
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
    # Hourly, not a 07:00 cron: stores in other zones than the scheduler's reach 07:00 on
    # the 1st at other hours, and the job writes a store's report only once it is due.
    scheduler.add_job(
        "jobs.report:monthly_report",
        "cron",
        minute=0,
        id="monthly_report",
        name="last month's report (hourly; each store's from 07:00 on the 1st, its time)",
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
    """Hold the lock, plan once now, then run the jobs until Ctrl-C or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    # One line per job run is ours; the libraries speak up only when something is wrong.
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sms.use(app)  # a twilio backend without credentials stops here, before the lock is taken
    with app.session() as session:
        lock.acquire(session, utcnow())
    planning.use(app)
    report.use(app)
    scheduler = build(app)

    def heartbeat() -> None:
        with app.session() as session:
            if not lock.renew(session, utcnow()):
                log.error("scheduler lock lost to another process; stopping")
                scheduler.shutdown(wait=False)

    scheduler.add_job(
        heartbeat,
        "interval",
        seconds=60,
        id="lock_heartbeat",
        jobstore="memory",
        replace_existing=True,
    )
    # Once at start, as a job: the heartbeat keeps the lease while a long catch-up runs.
    scheduler.add_job(
        planning.plan_at_start,
        "date",
        run_date=utcnow(),
        id="planning_at_start",
        jobstore="memory",
        replace_existing=True,
    )
    # At start rather than at the next full hour: a stop across the 1st left reports due.
    scheduler.add_job(
        report.missing_reports,
        "date",
        run_date=utcnow(),
        id="reports_at_start",
        jobstore="memory",
        replace_existing=True,
    )

    def stop(*_) -> None:
        # A second SIGTERM (or one during the final clean-up) finds it stopped already.
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info(
        "scheduler running: planning now and at 06:30 of each store's time, SMS every "
        "minute in the send window, delivery reports and replies every 5 minutes, last "
        "month's report from 07:00 on the 1st (checked hourly); Ctrl-C to stop"
    )
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        with app.session() as session:
            lock.release(session)
        log.info("scheduler stopped")

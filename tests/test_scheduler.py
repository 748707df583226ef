"""The scheduler: one per database, jobs kept in it, restarts that neither repeat nor skip."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from freezegun import freeze_time
from sqlalchemy import text
from sqlmodel import func, select

from crm.app import App
from crm.config import Settings
from crm.models import FollowupTask, PlanningRun, Store
from jobs import lock
from jobs.planning import run_planning
from jobs.scheduler import JOB_DEFAULTS, build
from tests.factories import add_customer, add_vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def test_a_second_scheduler_is_refused_and_told_who_holds_the_lock(session):
    lock.acquire(session, at(date(2026, 3, 10), 6), ("desk-pc", 4242))

    with pytest.raises(lock.LockHeld, match="process 4242 on desk-pc"):
        lock.acquire(session, at(date(2026, 3, 10), 6, 1), ("other-pc", 77))


def test_a_dead_schedulers_lock_expires_and_can_be_taken_over(session):
    lock.acquire(session, at(date(2026, 3, 10), 6), ("desk-pc", 4242))

    lock.acquire(
        session, at(date(2026, 3, 10), 6) + lock.LEASE + timedelta(seconds=1), ("other-pc", 77)
    )

    assert not lock.renew(session, at(date(2026, 3, 10), 7), ("desk-pc", 4242))
    assert lock.renew(session, at(date(2026, 3, 10), 7), ("other-pc", 77))


def test_a_renewed_lock_stays_with_its_holder(session):
    start = at(date(2026, 3, 10), 6)
    lock.acquire(session, start, ("desk-pc", 4242))
    lock.renew(session, start + timedelta(minutes=1), ("desk-pc", 4242))

    with pytest.raises(lock.LockHeld):
        lock.acquire(session, start + lock.LEASE + timedelta(seconds=30), ("other-pc", 77))


def test_a_released_lock_lets_the_next_scheduler_start(session):
    lock.acquire(session, at(date(2026, 3, 10), 6), ("desk-pc", 4242))
    lock.release(session, ("desk-pc", 4242))

    lock.acquire(session, at(date(2026, 3, 10), 6, 5), ("other-pc", 77))

    assert lock.renew(session, at(date(2026, 3, 10), 6, 6), ("other-pc", 77))
    assert not lock.renew(session, at(date(2026, 3, 10), 6, 6), ("desk-pc", 4242))


def test_the_daily_job_is_kept_in_the_database_and_coalesces_missed_runs(database_url, engine):
    app = App(settings=Settings(), database_url=database_url)
    with freeze_time(at(date(2026, 3, 10), 5)):
        scheduler = build(app, BackgroundScheduler)
        scheduler.start(paused=True)
        job = scheduler.get_job("daily_planning")
        scheduler.shutdown(wait=False)

    assert job.args == ()  # no database URL (nor its password) in the job store
    assert job.coalesce is True
    assert job.misfire_grace_time == JOB_DEFAULTS["misfire_grace_time"] >= 6 * 3600
    # Checked every quarter hour: each store is planned at 06:30 of its own clock
    # (tests/test_store_day.py follows two stores through their mornings).
    assert job.next_run_time == at(date(2026, 3, 10), 5, 0)
    assert job.trigger.get_next_fire_time(None, at(date(2026, 3, 10), 5, 1)) == at(
        date(2026, 3, 10), 5, 15
    )
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert sorted(stored) == ["daily_planning", "monthly_report", "sms_dispatch", "sms_sync"]


def test_restarting_mid_day_repeats_nothing_and_a_long_stop_skips_nothing(database_url, session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 3, 9))
    li = add_customer(session, name="李娜")
    add_vehicle(session, li, date(2026, 3, 11))  # its callback window opens 03-12

    app = App(settings=Settings(), database_url=database_url)
    with freeze_time(at(date(2026, 3, 10), 6, 30)):
        morning = run_planning(app)
    with freeze_time(at(date(2026, 3, 10), 14)):  # restarted after lunch
        restart = run_planning(app)
    with freeze_time(at(date(2026, 3, 14), 9)):  # down from the 11th to the 13th
        back = run_planning(app)

    assert morning[0]["created"] == {"sales_callback": 1}
    assert restart[0]["created"] == {}
    assert back[0]["since"] == "2026-03-11"
    assert back[0]["created"] == {"sales_callback": 1}
    tasks = session.exec(select(FollowupTask).order_by(FollowupTask.window_start)).all()
    assert [(t.customer_id, t.window_start, t.late) for t in tasks] == [
        (wang.id, date(2026, 3, 10), False),
        (li.id, date(2026, 3, 12), True),
    ]
    assert session.exec(select(func.count()).select_from(PlanningRun)).one() == 3


def test_the_report_job_checks_every_hour_so_each_store_gets_its_own_seven_oclock(database_url):
    app = App(settings=Settings(), database_url=database_url)
    with freeze_time(at(date(2026, 3, 10), 5, 20)):
        scheduler = build(app, BackgroundScheduler)
        scheduler.start(paused=True)
        job = scheduler.get_job("monthly_report")
        scheduler.shutdown(wait=False)

    assert job.args == ()
    assert job.next_run_time == at(date(2026, 3, 10), 6)
    assert job.trigger.get_next_fire_time(None, at(date(2026, 3, 10), 6, 1)) == at(
        date(2026, 3, 10), 7
    )


def test_the_report_job_writes_every_stores_last_month_once(database_url, session, tmp_path):
    from crm.config import ReportSettings
    from jobs.report import run_monthly_reports

    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 2, 20))
    store = session.get(Store, 1)
    store.created_at = at(date(2026, 1, 5), 9)  # live since January
    session.add(store)
    session.commit()
    reports = tmp_path / "reports"
    settings = Settings(report=ReportSettings(output_dir=str(reports), formats=["md", "json"]))
    app = App(settings=settings, database_url=database_url)

    with freeze_time(at(date(2026, 3, 1), 10)):
        written = run_monthly_reports(app)
    with freeze_time(at(date(2026, 3, 1), 11)):  # a restart the same morning
        again = run_monthly_reports(app, only_missing=True)

    assert sorted(p.name for p in reports.iterdir()) == ["demo-2026-02.json", "demo-2026-02.md"]
    assert written == [str(reports / "demo-2026-02.md"), str(reports / "demo-2026-02.json")]
    assert again == []
    assert '"month": "2026-02"' in (reports / "demo-2026-02.json").read_text()


def test_the_schedulers_help_names_every_job_it_runs(crm, database_url):
    app = App(settings=Settings(), database_url=database_url)
    scheduler = build(app, BackgroundScheduler)
    scheduler.start(paused=True)
    jobs = {job.id for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    said = {  # each job as the help names it
        "daily_planning": "planning: at start, then each store's day at 06:30",
        "sms_dispatch": "SMS dispatch: every minute",
        "sms_sync": "delivery reports",
        "monthly_report": "month-end report",
    }

    shown = " ".join(crm("scheduler", "run", "--help").output.split())

    assert jobs == set(said)  # a new job is named here and in the help
    assert [job for job, words in said.items() if words not in shown] == []

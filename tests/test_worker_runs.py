"""The workers' schedule and shared runs: which slots come when, one row each, one holder."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import text
from sqlmodel import select

from crm.actions.planning import planning_status
from crm.app import App
from crm.config import Settings
from crm.models import JobRun
from crm.workers import runs
from crm.workers.schedule import (
    MONTHLY_REPORT,
    PLANNING,
    SMS_DISPATCH,
    Slot,
    StoreClock,
    due,
    next_at,
)
from tests.factories import add_customer, add_vehicle

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
SHANGHAI, TOKYO = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Tokyo")
WINDOW = (time(9), time(20))
STORES = [StoreClock("sh1", SHANGHAI), StoreClock("tk1", TOKYO)]
LEASE = timedelta(seconds=60)


def at(zone: ZoneInfo, day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def jobs_due(now: datetime) -> set[tuple[str, str, datetime]]:
    return {(s.job, s.scope, s.at) for s in due(STORES, now, WINDOW) if s.scope != "*"}


def test_each_store_is_due_for_planning_from_its_own_half_past_six():
    before = jobs_due(at(SHANGHAI, 10, 6, 29))  # 07:29 in Tokyo
    after = jobs_due(at(SHANGHAI, 10, 6, 30))

    assert {scope for job, scope, _ in before if job == PLANNING} == {"tk1"}
    assert (PLANNING, "sh1", at(SHANGHAI, 10, 6, 30)) in after
    assert (PLANNING, "tk1", at(TOKYO, 10, 6, 30)) in after  # the same slot all morning


def test_sms_dispatch_is_due_each_minute_of_the_stores_send_window_only():
    evening = jobs_due(at(SHANGHAI, 10, 19, 59) + timedelta(seconds=30))  # 20:59 in Tokyo

    assert (SMS_DISPATCH, "sh1", at(SHANGHAI, 10, 19, 59)) in evening
    assert not any(job == SMS_DISPATCH and scope == "tk1" for job, scope, _ in evening)
    assert next_at(SMS_DISPATCH, TOKYO, at(SHANGHAI, 10, 19, 59), WINDOW) == at(TOKYO, 11, 9)


def test_the_month_report_job_is_due_hourly_for_every_store():
    # It writes last month's report once due (report.scheduled_hour on the 1st) and
    # rewrites one whose visits came later: an hourly look, as the scheduler's job.
    now = at(SHANGHAI, 20, 12, 30, 4)
    hour = now.replace(minute=0, second=0, microsecond=0)

    assert {(s, a) for j, s, a in jobs_due(now) if j == MONTHLY_REPORT} == {
        ("sh1", hour),
        ("tk1", hour),
    }
    assert next_at(MONTHLY_REPORT, SHANGHAI, now, WINDOW) == hour + timedelta(hours=1)


@ON_POSTGRESQL
def test_every_worker_may_offer_a_slot_and_one_run_is_made(session):
    slot = Slot(PLANNING, "demo", at(SHANGHAI, 10, 6, 30))

    made = [runs.offer(session, [slot]) for _ in range(3)]

    assert made == [1, 0, 0]
    assert len(session.exec(select(JobRun)).all()) == 1


@ON_POSTGRESQL
def test_a_minutes_dispatch_not_yet_started_is_skipped_for_the_next_minutes(session):
    first = Slot(SMS_DISPATCH, "demo", at(SHANGHAI, 10, 10, 0))
    runs.offer(session, [first])
    runs.offer(session, [Slot(SMS_DISPATCH, "demo", at(SHANGHAI, 10, 10, 1))])

    statuses = session.exec(select(JobRun.status).order_by(JobRun.scheduled_at)).all()

    assert statuses == ["skipped", "queued"]


@ON_POSTGRESQL
def test_a_run_another_worker_is_claiming_is_skipped_not_waited_for(session, engine):
    runs.offer(session, [Slot(PLANNING, code, at(SHANGHAI, 10, 6, 30)) for code in ("a", "b")])
    first = session.exec(select(JobRun.id).order_by(JobRun.scope)).first()

    with engine.connect() as other:
        other.execute(text("SELECT id FROM job_run WHERE id = :id FOR UPDATE"), {"id": first})
        claimed = runs.claim(session, 2, LEASE, at(SHANGHAI, 10, 6, 30))
        other.rollback()

    assert claimed.scope == "b"


@ON_POSTGRESQL
def test_a_silent_workers_run_is_taken_over_after_its_lease_and_its_late_end_ignored(session):
    runs.offer(session, [Slot(PLANNING, "demo", at(SHANGHAI, 10, 6, 30))])
    mine = runs.claim(session, 1, timedelta(seconds=0.2), at(SHANGHAI, 10, 6, 30))
    during = runs.claim(session, 2, LEASE, at(SHANGHAI, 10, 6, 30))
    session.execute(text("SELECT pg_sleep(0.3)"))
    taken = runs.claim(session, 2, LEASE, at(SHANGHAI, 10, 6, 31))

    late_end = runs.finish(session, mine.id, 1, at(SHANGHAI, 10, 6, 32), {"created": 1})
    held = session.exec(select(JobRun.worker_id, JobRun.attempts, JobRun.status)).one()

    assert during is None
    assert (taken.id, taken.attempts) == (mine.id, 2)
    assert late_end is False
    assert tuple(held) == (2, 2, "running")


@ON_POSTGRESQL
def test_a_failed_run_waits_before_its_retry_and_gives_up_after_three(session):
    runs.offer(session, [Slot(PLANNING, "demo", at(SHANGHAI, 10, 6, 30))])
    ends = []
    for _ in range(3):
        claimed = runs.claim(session, 1, LEASE, at(SHANGHAI, 10, 6, 30))
        no_pause = timedelta(0)
        ends.append(
            runs.finish(
                session, claimed.id, 1, at(SHANGHAI, 10, 6, 31), error="boom", retry_after=no_pause
            )
        )
    runs.offer(session, [Slot(PLANNING, "other", at(SHANGHAI, 10, 6, 30))])
    claimed = runs.claim(session, 1, LEASE, at(SHANGHAI, 10, 6, 31))
    runs.finish(session, claimed.id, 1, at(SHANGHAI, 10, 6, 31), error="boom")
    paused = runs.claim(session, 1, LEASE, at(SHANGHAI, 10, 6, 31))

    statuses = dict(session.exec(select(JobRun.scope, JobRun.status)).all())

    assert ends == [True, True, True]
    assert statuses == {"demo": "failed", "other": "queued"}
    assert paused is None  # the retry waits a minute


def test_status_warns_only_once_a_stores_day_is_not_planned_by_seven(database_url, session):
    from crm.actions.planning import plan

    add_vehicle(session, add_customer(session), datetime(2026, 3, 9).date())
    app = App(settings=Settings(), database_url=database_url)
    plan(app, now=at(SHANGHAI, 9, 6, 30))

    with freeze_time(at(SHANGHAI, 10, 6, 59)):
        early = planning_status(app)
    with freeze_time(at(SHANGHAI, 10, 7, 0)):
        late = planning_status(app)

    assert early[0]["warning"] is None
    assert late[0]["warning"] == "today's planning has not run by 07:00 (last: 2026-03-09)"

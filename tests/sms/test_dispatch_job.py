"""The scheduler's SMS job: kept in the database, every minute, settling then sending."""

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from freezegun import freeze_time

from crm.app import App
from crm.config import Settings
from crm.models import SmsMessage
from jobs.scheduler import build
from jobs.sms import run_dispatch
from tests.factories import NOW, add_customer, add_message


def test_the_sms_job_is_persisted_without_arguments_and_runs_every_minute(database_url):
    app = App(settings=Settings(), database_url=database_url)
    with freeze_time(NOW):
        scheduler = build(app, BackgroundScheduler)
        scheduler.start(paused=True)
        job = scheduler.get_job("sms_dispatch")
        scheduler.shutdown(wait=False)

    assert job.args == ()
    assert job.trigger.interval == timedelta(minutes=1)
    assert job.next_run_time == NOW + timedelta(minutes=1)


def test_a_dispatch_run_settles_stale_sends_then_sends_what_is_due(
    database_url, session, settings, console
):
    app = App(settings=settings, database_url=database_url)
    due = add_message(session, add_customer(session))
    stale = add_message(
        session, add_customer(session), status="sending", claimed_at=NOW - timedelta(minutes=5)
    )

    with freeze_time(NOW, tick=True):
        summary = run_dispatch(app, console)

    assert summary["reconciled"] == {"requeued": 1}
    assert summary["sent"] == 2
    session.expire_all()
    assert {session.get(SmsMessage, m.id).status for m in (due, stale)} == {"sent"}

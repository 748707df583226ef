"""The scheduler's SMS jobs: kept in the database; every minute settling then sending, every
five minutes fetching delivery reports and replies."""

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from freezegun import freeze_time

from crm.app import App
from crm.config import Settings
from crm.models import Customer, SmsMessage
from crm.sms.providers.twilio import TwilioSender
from jobs.scheduler import build
from jobs.sms import run_dispatch, run_sync
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


def test_the_sync_job_is_persisted_without_arguments_and_runs_every_five_minutes(database_url):
    app = App(settings=Settings(), database_url=database_url)
    with freeze_time(NOW):
        scheduler = build(app, BackgroundScheduler)
        scheduler.start(paused=True)
        job = scheduler.get_job("sms_sync")
        scheduler.shutdown(wait=False)

    assert job.args == ()
    assert job.trigger.interval == timedelta(minutes=5)


def test_the_sync_job_records_delivery_and_an_opt_out_reply_without_anyone_asking(
    database_url, session, settings, twilio, fake_twilio
):
    app = App(settings=settings, database_url=database_url)
    wang, li = add_customer(session), add_customer(session)
    delivered = add_message(session, wang)
    with freeze_time(NOW, tick=True):
        run_dispatch(app, twilio)
    session.expire_all()
    fake_twilio.set_status(session.get(SmsMessage, delivered.id).provider_sid, "delivered")
    with freeze_time(NOW + timedelta(minutes=2)):
        fake_twilio.receive(li.phone, "退订")

    with freeze_time(NOW + timedelta(minutes=5)):
        summary = run_sync(app, twilio)

    assert summary == {
        "statuses": {"delivered": 1},
        "replies": {"replies": 1, "opted_out": 1},
    }
    session.expire_all()
    assert session.get(SmsMessage, delivered.id).status == "delivered"
    assert session.get(Customer, li.id).sms_consent is False


def test_the_sync_job_does_nothing_for_the_console(database_url, settings, console):
    app = App(settings=settings, database_url=database_url)

    assert run_sync(app, console) == {}


def test_the_sync_job_logs_a_provider_failure_and_does_not_raise(
    database_url, settings, twilio_env, fake_twilio, caplog
):
    app = App(settings=settings, database_url=database_url)
    sender = TwilioSender(settings.sms, twilio_env | {"TWILIO_AUTH_TOKEN": "wrong"})

    summary = run_sync(app, sender)

    assert "Twilio 401" in summary["error"]
    assert "sms sync: Twilio 401" in caplog.text

"""Claims and leases: a row waiting its turn is never judged lost, and a lease settled by
another process is never written over."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from freezegun import freeze_time
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session

from crm.actions.sms import send_due
from crm.app import App
from crm.config import SmsSettings
from crm.models import SmsDailyCount, SmsMessage, Store
from crm.sms.outbox import Dispatcher
from crm.sms.providers.twilio import TwilioSender
from crm.sms.reconcile import reconcile
from tests.factories import NOW, add_customer, add_message
from tests.sms.conftest import midday_zone, sms_settings


def test_rows_waiting_in_the_pool_past_reconcile_after_are_sent_exactly_once(
    engine, session, twilio_env, fake_twilio
):
    # Real time (two senders at once), at a store where it is now midday.
    session.execute(update(Store).values(timezone=midday_zone()))
    session.commit()
    # One worker, answers taking 0.4 s: the twelfth row waits 4.4 s, far past the 1 s after
    # which a second process (the next minute's job) reconciles what looks abandoned.
    settings = sms_settings(concurrency=1, reconcile_after_seconds=1)
    messages = [add_message(session, add_customer(session)) for _ in range(12)]
    fake_twilio.delay = 0.4

    def first_sender():
        with Session(engine) as own:
            Dispatcher(own, settings.sms, TwilioSender(settings.sms, twilio_env)).run()

    first = threading.Thread(target=first_sender)
    first.start()
    # The fourth request means the claim is at least 1.2 s old, whenever the thread began
    # (a fixed sleep raced a slow start under load); eight rows still wait on that claim.
    deadline = time.monotonic() + 30
    while len(fake_twilio.outbound()) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    other = App(settings=settings, database_url=engine.url.render_as_string(hide_password=False))
    settled, _ = send_due(other, TwilioSender(settings.sms, twilio_env))
    first.join()

    assert settled["requeued"] >= 1  # the second process did judge waiting rows abandoned
    bodies = Counter(m["body"] for m in fake_twilio.outbound())
    assert bodies == Counter({m.body: 1 for m in messages})
    session.expire_all()
    assert {session.get(SmsMessage, m.id).status for m in messages} == {"sent"}


def test_a_lease_another_process_settled_is_not_sent_nor_written(session, settings, console):
    message = add_message(session, add_customer(session))
    with freeze_time(NOW, tick=True):
        dispatcher = Dispatcher(session, settings.sms, console)
        [claimed] = dispatcher.claim(10)
        # Meanwhile another process reconciled it, queued it again and claimed it itself.
        session.execute(
            update(SmsMessage)
            .where(SmsMessage.id == message.id)
            .values(claimed_at=NOW + timedelta(minutes=3))
        )
        session.commit()
        dispatcher.record(dispatcher.deliver([claimed]))

    session.expire_all()
    saved = session.get(SmsMessage, message.id)
    assert (saved.status, saved.claimed_at) == ("sending", NOW + timedelta(minutes=3))
    assert console.stream.tell() == 0  # nothing printed: nothing sent
    assert dispatcher.result.counts == Counter({"claim_lost": 1})


def test_reconcile_after_must_cover_one_whole_attempt():
    with pytest.raises(ValidationError, match="connect_timeout_seconds \\+ read_timeout_seconds"):
        SmsSettings(connect_timeout_seconds=5, read_timeout_seconds=15, reconcile_after_seconds=19)
    assert SmsSettings(reconcile_after_seconds=20, read_timeout_seconds=15).reconcile_after_seconds


def test_reconcile_leaves_a_row_another_process_claimed_again_meanwhile(engine, session):
    wang = add_customer(session)
    message = add_message(session, wang, "birthday_sms", status="sending", claimed_at=NOW)
    session.add(SmsDailyCount(customer_id=wang.id, day=NOW.date(), used=1))
    session.commit()
    new_claim = NOW + timedelta(minutes=3, seconds=1)

    class ReclaimedWhileLooking:
        """The provider has no record; meanwhile another process re-queued and re-claimed."""

        name = "console"

        def find(self, outgoing, claimed_at):
            with Session(engine) as other:
                other.execute(
                    update(SmsMessage)
                    .where(SmsMessage.id == message.id)
                    .values(status="sending", claimed_at=new_claim)
                )
                other.commit()
            return None

    counts = reconcile(
        session, ReclaimedWhileLooking(), NOW + timedelta(minutes=3), timedelta(minutes=2)
    )

    session.expire_all()
    saved = session.get(SmsMessage, message.id)
    assert (saved.status, saved.claimed_at) == ("sending", new_claim)
    assert session.get(SmsDailyCount, (wang.id, NOW.date())).used == 1  # still the other's
    assert counts == Counter({"claimed_again": 1})

"""The Twilio backend through the real twilio client, against a local Twilio-compatible server."""

from datetime import timedelta

from freezegun import freeze_time
from sqlmodel import select

from crm.models import Customer, SmsInbound, SmsMessage
from crm.sms.outbox import Dispatcher
from crm.sms.reconcile import reconcile
from crm.sms.sync import sync_replies, sync_status
from tests.factories import NOW, add_customer, add_message
from tests.fake_twilio import FROM_NUMBER
from tests.sms.conftest import sms_settings


def send(session, settings, sender):
    with freeze_time(NOW, tick=True):
        return Dispatcher(session, settings.sms, sender).run()


def row(session, message) -> SmsMessage:
    session.expire_all()
    return session.get(SmsMessage, message.id)


def test_a_message_is_sent_through_twilio_with_its_id_and_segments(
    session, settings, twilio, fake_twilio
):
    wang = add_customer(session)
    message = add_message(session, wang, body="【示例汽车4S店】王先生您好，" + "请回店保养。" * 12)

    result = send(session, settings, twilio)

    [accepted] = fake_twilio.outbound()
    assert (accepted["to"], accepted["body"], accepted["from"]) == (
        wang.phone,
        message.body,
        "+15005550006",
    )
    saved = row(session, message)
    assert (saved.status, saved.provider_sid, saved.segments) == ("sent", accepted["sid"], 2)
    assert saved.sent_at is not None
    assert result.exit_code == 0


def test_a_429_is_retried_after_a_pause_and_then_succeeds(session, settings, twilio, fake_twilio):
    message = add_message(session, add_customer(session))
    fake_twilio.fail_next("429", "429")

    send(session, settings, twilio)

    assert fake_twilio.posts == 3
    assert len(fake_twilio.outbound()) == 1
    assert row(session, message).status == "sent"


def test_a_500_that_outlasts_the_retries_waits_and_is_tried_again_later(
    session, twilio_env, fake_twilio
):
    from crm.sms.providers.twilio import TwilioSender

    settings = sms_settings(retries=1)
    message = add_message(session, add_customer(session))
    fake_twilio.fail_next("500", "500")

    result = send(session, settings, TwilioSender(settings.sms, twilio_env))

    saved = row(session, message)
    assert (saved.status, saved.error_code) == ("queued", "20500")
    assert NOW + timedelta(minutes=10) <= saved.not_before < NOW + timedelta(minutes=11)
    assert fake_twilio.outbound() == []
    assert result.counts["retry_later"] == 1 and result.exit_code == 1


def test_an_invalid_number_fails_at_once_and_is_never_tried_again(
    session, settings, twilio, fake_twilio
):
    wang = add_customer(session, phone="+8613800000001")
    first = add_message(session, wang)
    second = add_message(session, wang, not_before=NOW + timedelta(hours=1))
    fake_twilio.refuse[wang.phone] = 21211

    send(session, settings, twilio)

    assert fake_twilio.posts == 1  # no retry of a permanent error
    saved = row(session, first)
    assert (saved.status, saved.error_code) == ("failed", "21211")
    assert row(session, second).status == "cancelled"
    assert session.get(Customer, wang.id).phone_valid is False


def test_a_21610_unsubscribed_number_turns_consent_off(session, settings, twilio, fake_twilio):
    wang = add_customer(session, phone="+8613800000002")
    first = add_message(session, wang)
    later = add_message(session, wang, "birthday_sms", not_before=NOW + timedelta(hours=1))
    fake_twilio.refuse[wang.phone] = 21610

    send(session, settings, twilio)

    assert (row(session, first).status, row(session, first).error_code) == ("failed", "21610")
    assert row(session, later).status == "cancelled"
    customer = session.get(Customer, wang.id)
    assert (customer.sms_consent, customer.marketing_consent) == (False, False)
    assert customer.sms_consent_source == "provider:21610"


def test_a_21610_reported_on_the_message_by_status_polling_turns_consent_off(
    session, settings, twilio, fake_twilio
):
    wang = add_customer(session, phone="+8613800000009")
    first = add_message(session, wang)
    later = add_message(session, wang, "birthday_sms", not_before=NOW + timedelta(hours=3))
    send(session, settings, twilio)
    fake_twilio.set_status(row(session, first).provider_sid, "failed", 21610)

    with freeze_time(NOW + timedelta(minutes=10)):
        counts = sync_status(session, twilio, NOW + timedelta(minutes=10), 3)

    assert counts == {"failed": 1}
    assert (row(session, first).status, row(session, first).error_code) == ("failed", "21610")
    assert row(session, later).status == "cancelled"
    customer = session.get(Customer, wang.id)
    assert (customer.sms_consent, customer.marketing_consent) == (False, False)
    assert customer.sms_consent_source == "provider:21610"


def test_a_21610_found_by_reconciliation_turns_consent_off(session, twilio, fake_twilio):
    wang = add_customer(session, phone="+8613800000010")
    message = add_message(session, wang, status="sending", claimed_at=NOW)
    later = add_message(session, wang, "birthday_sms", not_before=NOW + timedelta(hours=3))
    with freeze_time(NOW + timedelta(seconds=1)):  # accepted, then refused by the carrier
        record = fake_twilio._store(wang.phone, FROM_NUMBER, message.body, "outbound-api", "sent")
    fake_twilio.set_status(record["sid"], "failed", 21610)

    counts = reconcile(session, twilio, NOW + timedelta(minutes=3), timedelta(minutes=2))

    assert counts == {"found_sent": 1}
    assert (row(session, message).status, row(session, message).error_code) == ("failed", "21610")
    assert row(session, later).status == "cancelled"
    assert session.get(Customer, wang.id).sms_consent is False


def test_a_timeout_after_sending_is_settled_by_the_providers_log_not_sent_twice(
    session, settings, twilio, fake_twilio
):
    message = add_message(session, add_customer(session))
    fake_twilio.fail_next("timeout")

    result = send(session, settings, twilio)
    assert row(session, message).status == "sending"
    assert result.counts["awaiting_reconciliation"] == 1
    fake_twilio.wait_idle()
    with freeze_time(NOW + timedelta(minutes=5)):
        early = reconcile(session, twilio, NOW + timedelta(seconds=0), timedelta(minutes=2))
        settled = reconcile(session, twilio, NOW + timedelta(minutes=5), timedelta(minutes=2))
    again = send(session, settings, twilio)

    assert early == {}  # still within the reconcile delay: untouched
    assert settled == {"found_sent": 1}
    [accepted] = fake_twilio.outbound()
    assert (row(session, message).status, row(session, message).provider_sid) == (
        "sent",
        accepted["sid"],
    )
    assert again.counts["sent"] == 0


def test_reconcile_requeues_a_claimed_message_the_provider_never_got(
    session, settings, twilio, fake_twilio
):
    message = add_message(session, add_customer(session), status="sending", claimed_at=NOW)

    counts = reconcile(session, twilio, NOW + timedelta(minutes=3), timedelta(minutes=2))
    send(session, settings, twilio)

    assert counts == {"requeued": 1}
    assert row(session, message).status == "sent"
    assert len(fake_twilio.outbound()) == 1


def test_reconcile_leaves_a_message_alone_when_the_log_cannot_be_read(
    session, settings, twilio, fake_twilio
):
    message = add_message(session, add_customer(session), status="sending", claimed_at=NOW)
    fake_twilio.stop()

    counts = reconcile(session, twilio, NOW + timedelta(minutes=3), timedelta(minutes=2))

    assert counts == {"unknown": 1}
    assert row(session, message).status == "sending"


def test_sync_polls_delivery_status_and_price(session, settings, twilio, fake_twilio):
    delivered = add_message(session, add_customer(session))
    landline = add_message(session, add_customer(session))
    send(session, settings, twilio)
    fake_twilio.set_status(row(session, delivered).provider_sid, "delivered")
    fake_twilio.set_status(row(session, landline).provider_sid, "undelivered", 30006)

    with freeze_time(NOW + timedelta(minutes=10)):
        counts = sync_status(session, twilio, NOW + timedelta(minutes=10), 3)

    assert counts == {"delivered": 1, "undelivered": 1}
    got = row(session, delivered)
    assert (got.status, got.price, got.price_unit) == ("delivered", 0.0478, "USD")
    assert got.delivered_at is not None
    assert (row(session, landline).status, row(session, landline).error_code) == (
        "undelivered",
        "30006",
    )
    assert session.get(Customer, landline.customer_id).phone_valid is False


def test_an_inbound_tuiding_opts_out_once_and_a_sentence_does_not(
    session, settings, twilio, fake_twilio
):
    wang = add_customer(session, phone="+8613800138000")
    li = add_customer(session, phone="+8613900139000")
    queued = add_message(session, wang, not_before=NOW + timedelta(hours=2))
    fake_twilio.receive(wang.phone, "退订")
    fake_twilio.receive(li.phone, "请问退订了保养套餐怎么退款？")

    first = sync_replies(session, twilio, NOW, 3)
    second = sync_replies(session, twilio, NOW, 3)

    assert first == {"replies": 2, "opted_out": 1}
    assert second == {}
    session.expire_all()
    assert session.get(Customer, wang.id).sms_consent is False
    assert session.get(Customer, wang.id).sms_consent_source == "sms reply"
    assert session.get(Customer, li.id).sms_consent is True
    assert row(session, queued).status == "cancelled"
    replies = session.exec(select(SmsInbound).order_by(SmsInbound.id)).all()
    assert [(r.from_phone, r.opt_out) for r in replies] == [(wang.phone, True), (li.phone, False)]


def test_bad_credentials_stop_the_run_and_send_nothing(session, settings, twilio_env, fake_twilio):
    from crm.sms.providers.twilio import TwilioSender

    messages = [add_message(session, add_customer(session)) for _ in range(3)]
    sender = TwilioSender(settings.sms, twilio_env | {"TWILIO_AUTH_TOKEN": "wrong"})

    result = send(session, settings, sender)

    assert "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in result.stopped
    assert [row(session, m).status for m in messages] == ["queued"] * 3
    assert [row(session, m).send_attempts for m in messages] == [0] * 3
    assert fake_twilio.outbound() == []


def test_send_and_sync_commands_run_against_the_twilio_compatible_server(
    crm, session, tmp_path, monkeypatch, twilio_env, fake_twilio
):
    import json

    for name, value in twilio_env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config.toml").write_text('[sms]\nbackend = "twilio"\nrate_per_second = 100.0\n')
    message = add_message(session, add_customer(session))

    sent = crm("sms", "send", "--format", "json")
    [accepted] = fake_twilio.outbound()
    fake_twilio.set_status(accepted["sid"], "delivered")
    synced = crm("sms", "sync", "--format", "json")

    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.output)["sent"] == 1
    assert json.loads(synced.output)["statuses"] == {"delivered": 1}
    assert row(session, message).status == "delivered"


def test_the_status_callback_from_config_goes_with_each_message(session, twilio_env, fake_twilio):
    from crm.sms.providers.twilio import TwilioSender

    settings = sms_settings(status_callback="https://crm.example.com/sms/status")
    add_message(session, add_customer(session))

    send(session, settings, TwilioSender(settings.sms, twilio_env))

    [accepted] = fake_twilio.outbound()
    assert accepted["_status_callback"] == "https://crm.example.com/sms/status"

"""Provider mistakes: what is permanent for one message, what stops the run, and that each
reaches the user as one sentence."""

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time

from crm.models import Customer, SmsMessage
from crm.sms.outbox import Dispatcher
from crm.sms.providers.twilio import TwilioSender
from tests.factories import NOW, add_customer, add_message
from tests.sms.conftest import sms_settings


def send(session, settings, sender):
    with freeze_time(NOW, tick=True):
        return Dispatcher(session, settings.sms, sender).run()


def statuses(session, messages) -> list[str]:
    session.expire_all()
    return [session.get(SmsMessage, m.id).status for m in messages]


def test_a_region_not_enabled_fails_that_message_and_the_run_goes_on(
    session, settings, twilio, fake_twilio
):
    wang = add_customer(session)
    first, second = (add_message(session, add_customer(session)) for _ in range(2))
    refused = add_message(session, wang)
    fake_twilio.refuse[wang.phone] = 21408

    result = send(session, settings, twilio)

    assert statuses(session, [first, second, refused]) == ["sent", "sent", "failed"]
    assert session.get(SmsMessage, refused.id).error_code == "21408"
    assert session.get(Customer, wang.id).phone_valid  # the region, not the number
    assert result.stopped is None


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("21212", "check TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"),
        ("21999", "see the code at twilio.com/docs/errors"),
    ],
)
def test_a_sender_number_or_unknown_error_stops_the_run_and_keeps_every_message(
    session, twilio_env, fake_twilio, code, advice
):
    settings = sms_settings(concurrency=1)  # the first answer arrives before a second request
    messages = [add_message(session, add_customer(session)) for _ in range(3)]
    fake_twilio.fail_next(code)

    result = send(session, settings, TwilioSender(settings.sms, twilio_env))

    assert f"error {code}" in result.stopped and advice in result.stopped
    assert statuses(session, messages) == ["queued"] * 3
    assert fake_twilio.outbound() == []


def test_a_wrong_api_path_404_stops_the_run(session, twilio_env, fake_twilio):
    settings = sms_settings(concurrency=1)
    messages = [add_message(session, add_customer(session)) for _ in range(2)]
    sender = TwilioSender(settings.sms, twilio_env | {"TWILIO_API_URL": fake_twilio.url + "/v2"})

    result = send(session, settings, sender)

    assert "Twilio 404 error 20404" in result.stopped and "TWILIO_API_URL" in result.stopped
    assert statuses(session, messages) == ["queued"] * 2


def test_a_full_sender_queue_21611_is_tried_again_later(session, settings, twilio, fake_twilio):
    message = add_message(session, add_customer(session))
    fake_twilio.fail_next(*["21611"] * 4)  # more than the retries

    result = send(session, settings, twilio)

    saved = statuses(session, [message])
    assert saved == ["queued"]
    assert session.get(SmsMessage, message.id).error_code == "21611"
    assert result.counts["retry_later"] == 1 and result.stopped is None


def test_an_unreadable_answer_after_sending_awaits_reconciliation(
    session, settings, twilio, fake_twilio
):
    from crm.sms.reconcile import reconcile

    message = add_message(session, add_customer(session))
    fake_twilio.fail_next("garbage")

    result = send(session, settings, twilio)
    assert statuses(session, [message]) == ["sending"]
    assert result.counts["awaiting_reconciliation"] == 1
    counts = reconcile(session, twilio, NOW + timedelta(minutes=5), timedelta(minutes=2))

    assert counts == {"found_sent": 1}
    assert statuses(session, [message]) == ["sent"]
    assert len(fake_twilio.outbound()) == 1


@pytest.mark.parametrize("url", ["api.twilio.com", "ftp://api.twilio.com", "https://"])
def test_a_twilio_api_url_that_is_no_http_url_stops_at_start(
    crm, tmp_path, monkeypatch, twilio_env, url
):
    for name, value in twilio_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TWILIO_API_URL", url)
    (tmp_path / "config.toml").write_text('[sms]\nbackend = "twilio"\n')

    result = crm("sms", "send")

    assert result.exit_code == 2
    assert result.output == (
        f"Error: TWILIO_API_URL {url!r} is not an http(s) URL with a host; unset it for "
        "https://api.twilio.com or give one like http://127.0.0.1:8080\n"
    )


def test_sync_with_bad_credentials_says_so_in_one_line(
    crm, session, tmp_path, monkeypatch, twilio_env, fake_twilio
):
    for name, value in twilio_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong")
    (tmp_path / "config.toml").write_text('[sms]\nbackend = "twilio"\n')

    result = crm("sms", "sync")

    assert result.exit_code == 1
    assert result.output.startswith("Error: the SMS provider failed: Twilio 401")
    assert "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_reconcile_with_the_server_gone_leaves_rows_alone_and_says_so(
    crm, session, tmp_path, monkeypatch, twilio_env, fake_twilio
):
    for name, value in twilio_env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config.toml").write_text('[sms]\nbackend = "twilio"\n')
    message = add_message(
        session, add_customer(session), status="sending", claimed_at=NOW - timedelta(hours=1)
    )
    fake_twilio.stop()

    result = crm("sms", "reconcile", "--format", "json")

    assert result.exit_code == 1
    assert json.loads(result.output)["unknown"] == 1
    assert statuses(session, [message]) == ["sending"]

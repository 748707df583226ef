"""The Aliyun backend through the official dysmsapi client, against a local Aliyun server
that checks the SDK's ACS3-HMAC-SHA256 signature."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from crm.errors import UsageError
from crm.models import Customer, SmsMessage
from crm.sms.outbox import Dispatcher
from crm.sms.providers.aliyun import AliyunSender
from crm.sms.reconcile import reconcile
from crm.sms.sync import sync_status
from tests.factories import NOW, add_customer, add_message
from tests.sms.conftest import aliyun_settings, greeting, notice

CHINA = ZoneInfo("Asia/Shanghai")


def send(session, sender, settings=None):
    settings = settings or aliyun_settings()
    with freeze_time(NOW, tick=True):
        return Dispatcher(session, settings.sms, sender).run()


def row(session, message) -> SmsMessage:
    session.expire_all()
    return session.get(SmsMessage, message.id)


def sends(fake, action="SendSms"):
    return [r for r in fake.requests if r["action"] == action]


def test_a_message_goes_as_its_template_code_and_slot_values_never_as_text(
    session, aliyun, fake_aliyun
):
    wang = add_customer(session, phone="+8613800000001")
    message = add_message(session, wang, body=notice())

    result = send(session, aliyun)

    [request] = sends(fake_aliyun)
    assert request["query"]["TemplateCode"] == "SMS_100"
    assert json.loads(request["query"]["TemplateParam"]) == {
        "customer": "王先生",
        "due_date": "2026-03-20",
    }
    assert request["query"]["SignName"] == "示例汽车"  # the signature, not 【】 in the text
    assert request["query"]["PhoneNumbers"] == "13800000001"
    assert request["query"]["OutId"] == str(message.id)
    assert request["headers"]["Authorization"].startswith("ACS3-HMAC-SHA256 Credential=")
    [accepted] = fake_aliyun.outbound()
    assert accepted["Content"] == "【示例汽车】" + notice()
    saved = row(session, message)
    assert saved.status == "sent" and saved.provider_sid.endswith(f":{message.id}")
    assert result.exit_code == 0


def test_many_messages_go_in_send_batch_calls_of_at_most_100_numbers(session, aliyun, fake_aliyun):
    messages = [
        add_message(
            session, add_customer(session), body=notice(f"客户{n}"), kind="first_service_sms"
        )
        for n in range(150)
    ]

    result = send(session, aliyun, aliyun_settings(concurrency=1))

    batches = sends(fake_aliyun, "SendBatchSms")
    assert batches and all(len(json.loads(b["form"]["PhoneNumberJson"])) <= 100 for b in batches)
    assert len(fake_aliyun.outbound()) == 150
    assert result.counts["sent"] == 150
    sids = {row(session, m).provider_sid for m in messages}
    assert len(sids) == 150  # one BizId a call, the row's own id beside it


def test_an_illegal_number_fails_that_message_and_flags_the_number_invalid(
    session, aliyun, fake_aliyun
):
    li = add_customer(session, phone="+8613800000002")
    message = add_message(session, li, body=notice())
    fake_aliyun.refuse["13800000002"] = "isv.MOBILE_NUMBER_ILLEGAL"

    send(session, aliyun)

    saved = row(session, message)
    assert (saved.status, saved.error_code) == ("failed", "isv.MOBILE_NUMBER_ILLEGAL")
    assert session.get(Customer, li.id).phone_valid is False


def test_a_number_refused_in_a_batch_is_sent_alone_so_the_others_still_go(
    session, aliyun, fake_aliyun
):
    good = [add_message(session, add_customer(session), body=notice(f"客户{n}")) for n in range(3)]
    bad = add_message(session, add_customer(session, phone="+8613800000003"), body=notice())
    fake_aliyun.refuse["13800000003"] = "isv.MOBILE_NUMBER_ILLEGAL"

    send(session, aliyun, aliyun_settings(concurrency=1))

    assert {row(session, m).status for m in good} == {"sent"}
    assert row(session, bad).status == "failed"
    assert len(fake_aliyun.outbound()) == 3


@pytest.mark.parametrize(
    ("code", "until"),
    [("isv.DAY_LIMIT_CONTROL", "tomorrow"), ("isv.BUSINESS_LIMIT_CONTROL", "later")],
)
def test_a_number_over_aliyuns_limit_waits_and_is_not_failed(
    session, aliyun, fake_aliyun, code, until
):
    message = add_message(session, add_customer(session, phone="+8613800000004"), body=notice())
    fake_aliyun.refuse["13800000004"] = code

    result = send(session, aliyun)

    saved = row(session, message)
    assert (saved.status, saved.error_code, saved.send_attempts) == ("queued", code, 0)
    midnight = datetime.combine(NOW.astimezone(CHINA).date() + timedelta(days=1), time(0), CHINA)
    if until == "tomorrow":
        assert saved.not_before == midnight
    else:
        assert NOW < saved.not_before < NOW + timedelta(minutes=11)
    assert result.counts["deferred_number_limit"] == 1 and result.exit_code == 0


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("isv.SMS_TEMPLATE_ILLEGAL", "template code"),
        ("isv.SMS_SIGNATURE_ILLEGAL", "sms.aliyun.sign_name"),
        ("isv.TEMPLATE_MISSING_PARAMETERS", "slots"),
        ("isv.PARAM_LENGTH_LIMIT", "sms.aliyun.slot_max_characters"),
        ("isv.AMOUNT_NOT_ENOUGH", "top it up"),
    ],
)
def test_a_template_signature_parameter_or_balance_error_stops_the_run_and_keeps_the_rest(
    session, aliyun, fake_aliyun, code, names
):
    messages = [add_message(session, add_customer(session), body=notice()) for _ in range(3)]
    fake_aliyun.fail_next(code, code, code)

    result = send(session, aliyun, aliyun_settings(concurrency=1))

    assert code in result.stopped and names in result.stopped
    assert {(row(session, m).status, row(session, m).send_attempts) for m in messages} == {
        ("queued", 0)
    }
    assert fake_aliyun.outbound() == []


def test_a_timeout_is_maybe_sent_and_reconciliation_finds_it_without_sending_again(
    session, aliyun, fake_aliyun
):
    message = add_message(session, add_customer(session), body=notice())
    fake_aliyun.fail_next("timeout")
    result = send(session, aliyun)
    assert row(session, message).status == "sending"
    assert result.counts["awaiting_reconciliation"] == 1

    with freeze_time(NOW + timedelta(minutes=5)):
        settled = reconcile(session, aliyun, NOW + timedelta(minutes=5), timedelta(seconds=1))

    assert settled["found_sent"] == 1
    assert len(fake_aliyun.outbound()) == 1 and len(sends(fake_aliyun)) == 1
    assert (
        sends(fake_aliyun, "QuerySendDetails")[0]["query"]["PhoneNumber"] == (message.to_phone[3:])
    )
    assert row(session, message).status == "delivered"


def test_an_unreadable_answer_is_maybe_sent_too(session, aliyun, fake_aliyun):
    message = add_message(session, add_customer(session), body=notice())
    fake_aliyun.fail_next("garbage")

    send(session, aliyun)

    assert row(session, message).status == "sending"


def test_reconciliation_queues_again_what_aliyuns_log_does_not_hold(session, aliyun, fake_aliyun):
    message = add_message(
        session, add_customer(session), body=notice(), status="sending", claimed_at=NOW
    )

    with freeze_time(NOW + timedelta(minutes=5)):
        settled = reconcile(session, aliyun, NOW + timedelta(minutes=5), timedelta(seconds=1))

    assert settled["requeued"] == 1
    assert row(session, message).status == "queued"


def test_a_wrong_secret_stops_the_run_naming_the_variable(session, aliyun_env, fake_aliyun):
    message = add_message(session, add_customer(session), body=notice())
    env = aliyun_env | {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"}

    result = send(session, AliyunSender(aliyun_settings().sms, env))

    assert "SignatureDoesNotMatch" in result.stopped
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in result.stopped
    assert row(session, message).status == "queued"


def test_a_queued_text_that_no_longer_matches_the_registry_stops_the_run(
    session, aliyun, fake_aliyun
):
    message = add_message(session, add_customer(session), body="【示例汽车4S店】自由文字")

    result = send(session, aliyun)

    assert "matches no approved template in sms.approved" in result.stopped
    assert row(session, message).status == "queued" and fake_aliyun.requests == []


def test_sync_reads_delivery_from_query_send_details(session, aliyun, fake_aliyun):
    message = add_message(session, add_customer(session), body=greeting(), kind="birthday_sms")
    send(session, aliyun)
    fake_aliyun.set_status(str(message.id), 2, "MK:0001")

    with freeze_time(NOW + timedelta(minutes=5)):
        counts = sync_status(session, aliyun, NOW + timedelta(minutes=5), days=3)

    assert counts["undelivered"] == 1
    saved = row(session, message)
    assert (saved.status, saved.error_code) == ("undelivered", "MK:0001")


def test_missing_credentials_or_signature_are_one_sentence(aliyun_env):
    with pytest.raises(UsageError, match="ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"):
        AliyunSender(aliyun_settings().sms, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "x"})
    unsigned = aliyun_settings().sms.model_copy(
        update={"aliyun": aliyun_settings().sms.aliyun.model_copy(update={"sign_name": ""})}
    )
    with pytest.raises(UsageError, match="sms.aliyun.sign_name is not set"):
        AliyunSender(unsigned, aliyun_env)
    with pytest.raises(UsageError, match="ALIYUN_SMS_ENDPOINT 'ftp://x' is not an http"):
        AliyunSender(aliyun_settings().sms, aliyun_env | {"ALIYUN_SMS_ENDPOINT": "ftp://x"})

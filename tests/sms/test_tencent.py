"""The Tencent backend through the official SMS client, against a local Tencent server that
checks the SDK's TC3-HMAC-SHA256 signature."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from crm.errors import UsageError
from crm.models import Customer, SmsMessage
from crm.sms.outbox import Dispatcher
from crm.sms.providers.tencent import TencentSender
from crm.sms.reconcile import reconcile
from crm.sms.sync import sync_replies, sync_status
from tests.factories import NOW, add_customer, add_message
from tests.sms.conftest import greeting, notice, tencent_settings

CHINA = ZoneInfo("Asia/Shanghai")


def send(session, sender, settings=None):
    settings = settings or tencent_settings()
    with freeze_time(NOW, tick=True):
        return Dispatcher(session, settings.sms, sender).run()


def row(session, message) -> SmsMessage:
    session.expire_all()
    return session.get(SmsMessage, message.id)


def sends(fake, action="SendSms"):
    return [r["body"] for r in fake.requests if r["action"] == action]


def test_a_message_goes_as_template_id_and_ordered_slot_values(session, tencent, fake_tencent):
    wang = add_customer(session, phone="+8613800000011")
    message = add_message(session, wang, body=notice())

    result = send(session, tencent)

    [request] = sends(fake_tencent)
    assert request["TemplateId"] == "100001"
    assert request["TemplateParamSet"] == ["王先生", "2026-03-20"]  # {1}, {2}
    assert request["SignName"] == "示例汽车" and request["SmsSdkAppId"] == "1400000001"
    assert request["PhoneNumberSet"] == ["+8613800000011"]
    assert request["SessionContext"] == str(message.id)
    saved = row(session, message)
    assert saved.status == "sent" and saved.provider_sid.startswith("2433:")
    assert saved.segments == 1 and result.exit_code == 0


def test_messages_with_the_same_values_share_one_call_of_at_most_200_numbers(
    session, tencent, fake_tencent
):
    # A holiday-like greeting without a name: the same slot values for everyone.
    messages = [
        add_message(session, add_customer(session), body=notice("尊敬的客户")) for _ in range(250)
    ]
    personal = add_message(session, add_customer(session), body=notice("李女士"))

    result = send(session, tencent, tencent_settings(concurrency=1))

    calls = sends(fake_tencent)
    assert all(len(call["PhoneNumberSet"]) <= 200 for call in calls)
    assert max(len(call["PhoneNumberSet"]) for call in calls) > 1
    assert result.counts["sent"] == 251
    assert {row(session, m).status for m in [*messages, personal]} == {"sent"}


def test_a_number_on_the_carriers_blacklist_opts_the_customer_out(session, tencent, fake_tencent):
    zhao = add_customer(session, phone="+8613800000012")
    first = add_message(session, zhao, body=notice())
    later = add_message(session, zhao, body=notice(due_date="2026-04-01"))
    fake_tencent.refuse["+8613800000012"] = "FailedOperation.PhoneNumberInBlacklist"

    send(session, tencent, tencent_settings(concurrency=1))

    assert row(session, first).status == "failed"
    customer = session.get(Customer, zhao.id)
    assert customer.sms_consent is False and customer.marketing_consent is False
    assert row(session, later).status in ("cancelled", "failed")


def test_an_incorrect_number_fails_and_flags_it_invalid(session, tencent, fake_tencent):
    qian = add_customer(session, phone="+8613800000013")
    message = add_message(session, qian, body=notice())
    fake_tencent.refuse["+8613800000013"] = "InvalidParameterValue.IncorrectPhoneNumber"

    send(session, tencent)

    assert row(session, message).status == "failed"
    assert session.get(Customer, qian.id).phone_valid is False


def test_a_number_over_tencents_daily_limit_waits_for_tomorrow(session, tencent, fake_tencent):
    message = add_message(session, add_customer(session, phone="+8613800000014"), body=notice())
    fake_tencent.refuse["+8613800000014"] = "LimitExceeded.PhoneNumberDailyLimit"

    result = send(session, tencent)

    saved = row(session, message)
    midnight = datetime.combine(NOW.astimezone(CHINA).date() + timedelta(days=1), time(0), CHINA)
    assert (saved.status, saved.not_before, saved.send_attempts) == ("queued", midnight, 0)
    assert result.exit_code == 0


def test_the_daily_allowance_is_counted_before_sending_so_a_third_message_waits(
    session, tencent, fake_tencent
):
    sun = add_customer(session, phone="+8613800000015")
    messages = [add_message(session, sun, body=notice(due_date=f"2026-03-2{n}")) for n in range(3)]

    result = send(session, tencent, tencent_settings(concurrency=1))

    statuses = sorted(row(session, m).status for m in messages)
    assert statuses == ["queued", "sent", "sent"]  # Tencent's default: 2 a number a day
    assert result.counts["deferred_number_limit"] == 1
    assert sum(len(c["PhoneNumberSet"]) for c in sends(fake_tencent)) == 2


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("FailedOperation.TemplateIncorrectOrUnapproved", "sms.approved"),
        ("FailedOperation.SignatureIncorrectOrUnapproved", "sms.tencent.sign_name"),
        ("InvalidParameterValue.TemplateParameterLengthLimit", "slot_max_characters"),
        ("FailedOperation.InsufficientBalanceInSmsPackage", "top it up"),
        ("AuthFailure.SecretIdNotFound", "TENCENTCLOUD_SECRET_ID"),
        ("SomeCode.NeverSeenBefore", "error codes"),
    ],
)
def test_an_error_every_message_would_share_stops_the_run_and_keeps_the_rest(
    session, tencent, fake_tencent, code, names
):
    messages = [add_message(session, add_customer(session), body=notice()) for _ in range(3)]
    fake_tencent.fail_next(code, code, code)

    result = send(session, tencent, tencent_settings(concurrency=1))

    assert code in result.stopped and names in result.stopped
    assert {row(session, m).status for m in messages} == {"queued"}
    assert fake_tencent.outbound() == []


def test_a_timeout_is_settled_by_the_delivery_report_before_any_retry(
    session, tencent, fake_tencent
):
    message = add_message(session, add_customer(session), body=notice())
    fake_tencent.fail_next("timeout")
    send(session, tencent)
    assert row(session, message).status == "sending"

    with freeze_time(NOW + timedelta(minutes=5)):
        settled = reconcile(session, tencent, NOW + timedelta(minutes=5), timedelta(seconds=1))

    assert settled["found_sent"] == 1
    assert len(sends(fake_tencent)) == 1
    assert row(session, message).status == "delivered"


def test_without_a_report_a_row_stays_unknown_until_the_report_wait_has_passed(
    session, tencent_env, fake_tencent
):
    sender = TencentSender(tencent_settings(tencent={"report_wait_seconds": 600}).sms, tencent_env)
    message = add_message(
        session, add_customer(session), body=notice(), status="sending", claimed_at=NOW
    )

    with freeze_time(NOW + timedelta(minutes=5)):
        early = reconcile(session, sender, NOW + timedelta(minutes=5), timedelta(seconds=1))
    assert early["unknown"] == 1 and row(session, message).status == "sending"
    with freeze_time(NOW + timedelta(minutes=11)):
        late = reconcile(session, sender, NOW + timedelta(minutes=11), timedelta(seconds=1))

    assert late["requeued"] == 1 and row(session, message).status == "queued"


def test_replies_of_r_td_and_tuiding_opt_out_and_others_do_not(session, tencent, fake_tencent):
    people = {word: add_customer(session) for word in ("R", "TD", "退订", "你好")}
    for word, customer in people.items():
        fake_tencent.receive(customer.phone, word)

    with freeze_time(NOW):
        counts = sync_replies(session, tencent, NOW, days=3)

    assert counts["replies"] == 4 and counts["opted_out"] == 3
    session.expire_all()
    assert {w: session.get(Customer, c.id).sms_consent for w, c in people.items()} == {
        "R": False,
        "TD": False,
        "退订": False,
        "你好": True,
    }


def test_sync_reads_each_messages_delivery_report(session, tencent, fake_tencent):
    message = add_message(session, add_customer(session), body=greeting(), kind="birthday_sms")
    send(session, tencent)
    fake_tencent.outbound()[0].update(ReportStatus="FAIL", Description="MK:0012")

    with freeze_time(NOW + timedelta(minutes=5)):
        counts = sync_status(session, tencent, NOW + timedelta(minutes=5), days=3)

    assert counts["undelivered"] == 1
    assert row(session, message).error_code == "MK:0012"


def test_missing_credentials_or_app_id_are_one_sentence(tencent_env):
    with pytest.raises(UsageError, match="TENCENTCLOUD_SECRET_KEY is not set"):
        TencentSender(tencent_settings().sms, {"TENCENTCLOUD_SECRET_ID": "x"})
    with pytest.raises(UsageError, match="sms.tencent.sdk_app_id"):
        TencentSender(tencent_settings(tencent={"sdk_app_id": ""}).sms, tencent_env)


def test_the_sync_job_pulls_reports_and_replies_from_tencent_without_anyone_asking(
    database_url, session, tencent, fake_tencent
):
    from crm.app import App
    from jobs.sms import run_dispatch, run_sync

    app = App(settings=tencent_settings(), database_url=database_url)
    wang, li = add_customer(session), add_customer(session)
    message = add_message(session, wang, body=notice())
    with freeze_time(NOW, tick=True):
        run_dispatch(app, tencent)
    fake_tencent.receive(li.phone, "R")

    with freeze_time(NOW + timedelta(minutes=5)):
        summary = run_sync(app, tencent)

    assert summary == {"statuses": {"delivered": 1}, "replies": {"replies": 1, "opted_out": 1}}
    assert row(session, message).status == "delivered"
    assert session.get(Customer, li.id).sms_consent is False


def test_the_opt_out_at_the_carrier_is_recorded_with_its_source(session, tencent, fake_tencent):
    zhou = add_customer(session, phone="+8613800000016")
    add_message(session, zhou, body=notice())
    fake_tencent.refuse["+8613800000016"] = "FailedOperation.PhoneNumberInBlacklist"

    send(session, tencent)

    session.expire_all()
    assert session.get(Customer, zhou.id).sms_consent_source == "provider:PhoneNumberInBlacklist"

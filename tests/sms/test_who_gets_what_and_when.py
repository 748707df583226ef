"""Consent, valid numbers, the send window, expiry, the daily cap and repeated text."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from sqlmodel import select

from crm.models import Customer, SmsMessage
from crm.sms.outbox import Dispatcher
from tests.factories import NOW, add_customer, add_message
from tests.sms.conftest import sms_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: date = date(2026, 3, 10)) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def send(session, settings, sender, moment=NOW, limit=None):
    with freeze_time(moment, tick=True):
        return Dispatcher(session, settings.sms, sender).run(limit)


def statuses(session) -> dict[int, tuple[str, str | None]]:
    session.expire_all()
    rows = session.exec(select(SmsMessage)).all()
    return {m.id: (m.status, m.error_message) for m in rows}


def test_service_reminders_need_service_consent_and_greetings_marketing_consent(
    session, settings, console
):
    service_only = add_customer(session, marketing_consent=False)
    marketing_only = add_customer(session, sms_consent=False)
    reminder_ok = add_message(session, service_only, "first_service_sms")
    greeting_blocked = add_message(session, service_only, "birthday_sms")
    reminder_blocked = add_message(session, marketing_only, "reminder_fallback")
    greeting_ok = add_message(session, marketing_only, "birthday_sms")

    result = send(session, settings, console)

    assert statuses(session) == {
        reminder_ok.id: ("sent", None),
        greeting_blocked.id: ("cancelled", "no_consent"),
        reminder_blocked.id: ("cancelled", "no_consent"),
        greeting_ok.id: ("sent", None),
    }
    assert result.counts["sent"] == 2


def test_a_customer_who_opts_out_or_is_lost_during_a_run_is_not_claimed(session, settings, console):
    from sqlalchemy import update

    wang, li, zhao, chen = (add_customer(session) for _ in range(4))
    messages = [
        add_message(session, wang),
        add_message(session, li, "birthday_sms"),
        add_message(session, zhao),
        add_message(session, chen),
    ]
    with freeze_time(NOW, tick=True):
        dispatcher = Dispatcher(session, settings.sms, console)
        # After the run's start: wang withdraws consent (a call), li only marketing,
        # zhao is marked lost. Their rows are still queued.
        session.execute(update(Customer).where(Customer.id == wang.id).values(sms_consent=False))
        session.execute(
            update(Customer).where(Customer.id == li.id).values(marketing_consent=False)
        )
        session.execute(update(Customer).where(Customer.id == zhao.id).values(status="lost"))
        session.commit()
        claimed = dispatcher.claim(10)

    assert [m.id for m in claimed] == [messages[3].id]


def test_a_number_flagged_invalid_is_never_sent_to(session, settings, console):
    wrong = add_customer(session, phone_valid=False)
    message = add_message(session, wrong)

    send(session, settings, console)

    assert statuses(session)[message.id] == ("cancelled", "invalid_phone")


def test_nothing_goes_before_the_window_opens_and_it_waits_until_then(session, settings, console):
    wang = add_customer(session)
    message = add_message(session, wang)

    early = send(session, settings, console, at(8, 59))
    assert statuses(session)[message.id] == ("queued", None)
    assert early.closed_stores == ["demo"]
    late = send(session, settings, console, at(20, 0))
    assert statuses(session)[message.id] == ("queued", None)
    send(session, settings, console, at(9, 0))
    assert statuses(session)[message.id] == ("sent", None)
    assert late.counts["sent"] == 0


def test_a_greeting_that_misses_its_day_expires(session, settings, console):
    wang = add_customer(session)
    greeting = add_message(session, wang, "birthday_sms", expires_at=at(0, 0, date(2026, 3, 11)))

    send(session, settings, console, at(20, 30))  # after the window: not sent today
    send(session, settings, console, at(9, 0, date(2026, 3, 11)))

    assert statuses(session)[greeting.id] == ("expired", "its day passed")


def test_one_marketing_message_a_day_and_the_birthday_wins_over_the_holiday(
    session, settings, console
):
    wang = add_customer(session)
    holiday = add_message(session, wang, "holiday_sms", expires_at=at(0, 0, date(2026, 3, 11)))
    birthday = add_message(session, wang, "birthday_sms", expires_at=at(0, 0, date(2026, 3, 11)))
    reminder = add_message(session, wang, "first_service_sms")  # service: not capped

    send(session, settings, console)
    send(session, settings, console, NOW + timedelta(hours=2))  # a later run the same day

    got = statuses(session)
    assert got[birthday.id] == ("sent", None)
    assert got[reminder.id] == ("sent", None)
    assert got[holiday.id] == ("queued", "daily_cap")
    send(session, settings, console, at(9, 0, date(2026, 3, 11)))
    assert statuses(session)[holiday.id] == ("expired", "its day passed")


def test_a_campaign_held_back_by_the_cap_goes_the_next_day(session, settings, console):
    wang = add_customer(session)
    add_message(session, wang, "birthday_sms")
    campaign = add_message(session, wang, "service_festival")

    send(session, settings, console)
    assert statuses(session)[campaign.id] == ("queued", "daily_cap")
    send(session, settings, console, at(9, 30, date(2026, 3, 11)))
    assert statuses(session)[campaign.id][0] == "sent"


def test_a_whole_batch_held_back_by_the_cap_does_not_end_the_run(session, console):
    settings = sms_settings(concurrency=1, rate_per_second=1.0)  # ten rows claimed at a time
    wang = add_customer(session)
    add_message(session, wang, "birthday_sms")
    send(session, settings, console)  # wang's one marketing message today
    held = [add_message(session, wang, "holiday_sms") for _ in range(10)]
    li = add_message(session, add_customer(session), "car_care_class")

    result = send(session, settings, console, NOW + timedelta(minutes=5))

    assert statuses(session)[li.id] == ("sent", None)
    assert {statuses(session)[m.id] for m in held} == {("queued", "daily_cap")}
    assert result.counts["deferred_daily_cap"] == 10 and result.counts["sent"] == 1


def test_identical_text_to_one_number_goes_once_in_24_hours(session, settings, console):
    wang = add_customer(session, phone="+8613800138000")
    twin = add_customer(session, phone="+8613800138000", name="王伟")
    text = "【示例汽车4S店】王先生，春节快乐！回T退订"
    first = add_message(session, wang, "holiday_sms", body=text)
    second = add_message(session, twin, "holiday_sms", body=text)
    tomorrow = add_message(session, wang, "first_service_sms", body=text, not_before=at(11))

    send(session, settings, console)
    send(session, settings, console, at(11))
    assert statuses(session)[first.id] == ("sent", None)
    assert statuses(session)[second.id] == ("cancelled", "same_text_within_24h")
    assert statuses(session)[tomorrow.id] == ("cancelled", "same_text_within_24h")

    again = add_message(session, wang, "first_service_sms", body=text)
    send(session, settings, console, NOW + timedelta(hours=24, minutes=1))
    assert statuses(session)[again.id] == ("sent", None)


def test_limit_sends_at_most_n_and_leaves_the_rest_queued(session, settings, console):
    for _ in range(5):
        add_message(session, add_customer(session))

    result = send(session, settings, console, limit=3)

    assert result.counts["sent"] == 3
    assert sorted(s for s, _ in statuses(session).values()) == ["queued"] * 2 + ["sent"] * 3


def test_optout_command_withdraws_consent_and_cancels_queued_messages(crm, session):
    wang = add_customer(session, phone="+8613800138000")
    queued = add_message(session, wang)

    result = crm("sms", "optout", "138 0013 8000", "--source", "front desk")

    assert result.exit_code == 0, result.output
    assert "1 queued message(s) cancelled" in result.output
    session.expire_all()
    customer = session.get(Customer, wang.id)
    assert (customer.sms_consent, customer.marketing_consent) == (False, False)
    assert customer.sms_consent_source == "front desk"
    assert customer.sms_consent_at is not None
    assert statuses(session)[queued.id] == ("cancelled", "opted out")


def test_optout_of_an_unknown_number_says_so(crm):
    result = crm("sms", "optout", "13800138000")

    assert result.exit_code == 1
    assert result.output.startswith("Error: no customer has the number +8613800138000")
    assert "`crm customers find" in result.output  # how to find the customer's number


def test_send_with_the_console_prints_and_the_outbox_shows_each_message(crm, session):
    wang = add_customer(session, name="王伟")
    message = add_message(session, wang, body="【示例汽车4S店】王先生您好。")
    add_message(session, add_customer(session, sms_consent=False))

    sent = crm("sms", "send")
    outbox = crm("sms", "outbox", "--format", "json")
    failed_only = crm("sms", "outbox", "--status", "failed", "--format", "json")

    assert sent.exit_code == 0, sent.output
    assert "sent 1" in sent.output and "no_consent 1" in sent.output
    import json

    rows = json.loads(outbox.output)
    assert [r["status"] for r in rows] == ["cancelled", "sent"]
    row = rows[1]
    assert {
        k: row[k] for k in ("message_id", "kind", "customer", "phone", "status", "body", "segments")
    } == {
        "message_id": message.id,
        "kind": "first_service_sms",
        "customer": "王伟",
        "phone": wang.phone,
        "status": "sent",
        "body": "【示例汽车4S店】王先生您好。",
        "segments": 1,
    }
    assert row["provider_id"] == f"console-{message.id}"
    assert row["error_code"] is None
    assert row["send_after"].startswith("2026-03-10T")
    assert json.loads(failed_only.output) == []


def test_twilio_backend_without_credentials_stops_with_what_is_missing(crm, tmp_path, monkeypatch):
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    (tmp_path / "config.toml").write_text('[sms]\nbackend = "twilio"\n')

    result = crm("sms", "send")

    assert result.exit_code == 2
    assert result.output == (
        "Error: sms.backend is twilio but TWILIO_AUTH_TOKEN, TWILIO_FROM or "
        "TWILIO_MESSAGING_SERVICE_SID are not set; set them in the environment or use "
        'backend = "console"\n'
    )

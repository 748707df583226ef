"""Contact policy: no marketing SMS or campaign call while a complaint is unsettled."""

import json
from datetime import date

from sqlmodel import select

from crm.models import FollowupTask, SmsMessage
from crm.sms.policy import expire_and_cancel
from tests.factories import NOW, add_complaint, add_customer, add_message, add_vehicle, shanghai
from tests.test_planning import plan


def test_no_birthday_greeting_while_a_complaint_is_open(session):
    upset = add_customer(session, name="王伟", birthday=date(1980, 3, 10))
    add_complaint(session, upset, shanghai(date(2026, 3, 2), 10), "waiting_time")
    settled = add_customer(session, name="李娜", birthday=date(1985, 3, 10))
    add_complaint(session, settled, shanghai(date(2026, 2, 2), 10), "price", status="closed")

    result = plan(session, date(2026, 3, 10))

    greeted = [m.customer_id for m in session.exec(select(SmsMessage))]
    assert greeted == [settled.id]
    assert result.skipped["open_complaint"] == 1


def test_a_queued_greeting_is_cancelled_at_dispatch_once_a_complaint_opens(session):
    wang = add_customer(session)
    greeting = add_message(session, wang, kind="birthday_sms")
    reminder = add_message(session, wang, kind="first_service_sms")
    add_complaint(session, wang, NOW, "staff_attitude")

    counts = expire_and_cancel(session, NOW)
    session.commit()

    session.refresh(greeting)
    session.refresh(reminder)
    assert (greeting.status, greeting.error_message) == ("cancelled", "open_complaint")
    assert reminder.status == "queued"  # a service reminder is no marketing: it still goes
    assert counts["open_complaint"] == 1


def test_a_campaign_leaves_out_customers_with_a_complaint_and_a_new_one_ends_its_call(crm, session):
    upset = add_customer(session, name="王伟")
    add_vehicle(session, upset, date(2024, 1, 5), model="迈腾")
    add_complaint(session, upset, shanghai(date(2026, 3, 2), 10), "waiting_time")
    calm = add_customer(session, name="李娜")
    add_vehicle(session, calm, date(2024, 1, 5), model="迈腾")

    launched = json.loads(
        crm(
            "campaign",
            "launch",
            "秋季服务节",
            "--template",
            "service_festival",
            "--model",
            "迈腾",
            "--call",
            "--format",
            "json",
        ).output
    )
    assert launched["created"] == {"campaign_call": 1, "campaign_sms": 1}
    (call,) = session.exec(select(FollowupTask)).all()
    assert call.customer_id == calm.id

    crm(
        "complaints",
        "add",
        "--customer",
        f"id:{calm.id}",
        "--category",
        "price",
        "--text",
        "活动价格和说的不一样",
    )

    session.expire_all()
    assert session.get(FollowupTask, call.id).status == "cancelled"

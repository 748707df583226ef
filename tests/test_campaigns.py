"""Campaigns: the segment the manager picks gets the SMS (and calls) once."""

import json
from datetime import date

from sqlmodel import select

from crm.models import FollowupTask, SmsMessage
from tests.factories import add_agent, add_customer, add_vehicle, add_visit


def test_a_campaign_reaches_its_segment_once_with_sms_and_calls(crm, session):
    old = add_customer(session, name="王伟", gender="male")
    add_vehicle(session, old, date(2024, 1, 5), model="迈腾")
    new = add_customer(session, name="李娜")
    add_vehicle(session, new, date(2026, 1, 5), model="迈腾")
    other = add_customer(session, name="张强")
    add_vehicle(session, other, date(2023, 1, 5), model="朗逸")
    quiet = add_customer(session, name="赵敏", marketing_consent=False)
    add_vehicle(session, quiet, date(2024, 6, 1), model="迈腾")

    result = crm(
        "campaign",
        "launch",
        "秋季服务节",
        "--template",
        "service_festival",
        "--model",
        "迈腾",
        "--min-age-months",
        "12",
        "--call",
        "--format",
        "json",
    )
    again = crm("campaign", "launch", "秋季服务节", "--template", "service_festival")

    launched = json.loads(result.output)
    assert launched["audience"] == 2  # 王伟 and 赵敏: 迈腾 owners of a year or more
    assert launched["created"] == {"campaign_call": 2, "campaign_sms": 1}
    assert launched["skipped"] == {"no_consent": 1}
    (message,) = session.exec(select(SmsMessage)).all()
    assert message.customer_id == old.id
    assert message.body == (
        "【示例汽车4S店】王先生您好，本店秋季服务节即将举行，届时保养工时优惠、免费检测，欢迎预约到店。回T退订"
    )
    calls = session.exec(select(FollowupTask)).all()
    assert {(c.kind, c.window_start, c.due_date) for c in calls} == {
        ("campaign_call", date(2026, 3, 10), date(2026, 3, 17))
    }
    assert again.exit_code == 2
    assert "already launched" in again.output


def test_a_lapsed_customer_segment_finds_cars_not_seen_since_a_date(crm, session):
    lapsed = add_customer(session, name="王伟")
    lapsed_car = add_vehicle(session, lapsed, date(2023, 5, 1))
    add_visit(session, lapsed_car, date(2025, 1, 10), 20000)
    regular = add_customer(session, name="李娜")
    regular_car = add_vehicle(session, regular, date(2023, 5, 1))
    add_visit(session, regular_car, date(2026, 2, 1), 30000)

    result = crm(
        "campaign",
        "launch",
        "回厂关怀",
        "--template",
        "car_care_class",
        "--no-visit-since",
        "2025-09-01",
        "--dry-run",
        "--format",
        "json",
    )

    launched = json.loads(result.output)
    assert launched["audience"] == 1
    assert launched["created"] == {"campaign_sms": 1}
    assert session.exec(select(SmsMessage)).all() == []


def test_an_unknown_template_is_refused_before_anything_is_queued(crm, session):
    add_vehicle(session, add_customer(session), date(2024, 1, 1))

    result = crm("campaign", "launch", "x", "--template", "nope")

    assert result.exit_code == 2
    assert "no SMS template 'nope'" in result.output
    listed = json.loads(crm("campaign", "list", "--format", "json").output)
    assert listed == []


def test_a_campaign_call_says_the_date_place_and_offer(crm, session):
    wang = add_customer(session, name="王伟")
    add_vehicle(session, wang, date(2024, 1, 5), model="迈腾")

    launched = crm(
        "campaign",
        "launch",
        "秋季服务节",
        "--template",
        "service_festival",
        "--call",
        "--when",
        "12月20日-21日",
        "--where",
        "本店售后大厅",
        "--offer",
        "工时费8折",
    )
    rows = json.loads(crm("calls", "list", "--format", "json").output)

    assert launched.exit_code == 0, launched.output
    (call,) = [row for row in rows if row["kind"] == "campaign_call"]
    assert call["talking_points"] == (
        "邀请参加“秋季服务节”（时间：12月20日-21日，地点：本店售后大厅，优惠：工时费8折）"
    )


def test_a_campaign_offer_too_long_to_read_out_is_refused_before_anything_is_queued(crm, session):
    wang = add_customer(session, name="王伟")
    add_vehicle(session, wang, date(2024, 1, 5), model="迈腾")

    result = crm(
        "campaign",
        "launch",
        "秋季服务节",
        "--template",
        "service_festival",
        "--call",
        "--offer",
        "优" * 101,
    )

    assert result.exit_code == 2 and "offer is longer than 100 characters" in result.output
    assert session.exec(select(FollowupTask)).all() == []


def test_campaign_calls_are_on_an_agents_list_as_soon_as_the_campaign_is_launched(crm, session):
    add_agent(session, "a01")
    add_agent(session, "a02")
    for n in range(4):
        add_vehicle(session, add_customer(session, name=f"客户{n}"), date(2024, 1, 5), model="迈腾")

    launched = crm("campaign", "launch", "秋季服务节", "--template", "service_festival", "--call")
    mine = json.loads(crm("calls", "list", "--agent", "a01", "--format", "json").output)

    assert launched.exit_code == 0, launched.output
    session.expire_all()
    calls = session.exec(select(FollowupTask).where(FollowupTask.kind == "campaign_call")).all()
    assert len(calls) == 4 and all(call.agent_id is not None for call in calls)
    assert [row["kind"] for row in mine] == ["campaign_call"] * 2  # shared by load

"""Campaigns in a real Chromium: a segment counted as it is built, the text judged, a launch
only after its confirmation, kept in the audit trail; and who may launch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import AuditEvent, Campaign, SmsMessage
from tests.factories import add_customer, add_sms, add_vehicle
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import BASE, console_of, signed_in, token_of


@pytest.fixture
def passat_owners(session, desk):
    """Two owners of a 帕萨特 bought two years ago (one refuses marketing SMS), beside the
    desk's six 朗逸 owners; and a message the provider billed 0.10 CNY for two segments."""
    owners = []
    for name, marketing in (("欧阳晓燕", True), ("司马建国", False)):
        owner = add_customer(session, name=name, marketing_consent=marketing)
        add_vehicle(session, owner, desk.today - timedelta(days=800), model="帕萨特")
        owners.append(owner)
    add_sms(
        session,
        owners[0],
        "birthday_sms",
        "delivered",
        None,
        price=0.10,
        price_unit="CNY",
        segments=2,
    )
    return owners


def test_a_manager_builds_a_segment_checks_the_text_and_launches_after_confirming(
    console, open_page, session, passat_owners, database_url
):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/campaigns")
    audience = page.locator("#segment [data-audience]")
    expect(audience).to_have_text("8")  # everyone: the desk's six and the two owners

    page.fill("input[name=name]", "秋季服务节")
    page.get_by_label("帕萨特").check()
    expect(audience).to_have_text("2")
    expect(page.locator("#segment table.samples tbody tr")).to_have_count(2)
    expect(page.locator("#segment table.samples")).to_contain_text("欧阳晓燕")
    text = page.locator("#segment [data-sms-text]")
    expect(text).to_contain_text("秋季服务节")
    expect(page.locator("#segment [data-measure]")).to_contain_text("UCS-2")
    expect(page.locator("#segment [data-lint=ok]")).to_be_visible()
    expect(page.locator("#segment [data-cost]")).to_contain_text("每条 0.05 计")

    page.fill("input[name=min_age_months]", "一年")
    expect(page.locator("[data-error-for=min_age_months]")).to_have_text(
        "请填写整数月数，例如 12。"
    )
    page.fill("input[name=min_age_months]", "36")
    expect(audience).to_have_text("0")
    expect(page.locator("[data-error-for=min_age_months]")).to_have_text("")
    page.fill("input[name=min_age_months]", "12")
    expect(audience).to_have_text("2")
    screenshot(page, "m-campaign-segment", database_url)

    page.get_by_role("button", name="检查并确认").click()
    expect(page.locator("h1")).to_contain_text("确认启动活动")
    expect(page.locator("dd[data-audience]")).to_have_text("2")
    assert session.exec(select(Campaign)).all() == []  # not before the confirmation
    page.keyboard.press("Enter")  # the launch button has the focus
    page.wait_for_url("**/campaigns?launched=*")
    expect(page.locator("#launched")).to_contain_text("活动“秋季服务节”已启动")
    row = page.locator("#campaigns tbody tr").first
    expect(row).to_contain_text("秋季服务节")
    expect(row).to_contain_text("帕萨特")

    session.expire_all()
    [campaign] = session.exec(select(Campaign)).all()
    queued = session.exec(select(SmsMessage).where(SmsMessage.cycle == f"campaign:{campaign.id}"))
    assert {m.customer_id for m in queued} == {passat_owners[0].id}
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "campaign")).all()
    assert (event.actor, event.subject, event.detail["audience"]) == ("m01", "秋季服务节", 2)
    assert event.detail["segment"] == {"models": ["帕萨特"], "min_age_months": 12}

    page.fill("input[name=name]", "秋季服务节")  # the same name again
    page.get_by_role("button", name="检查并确认").click()
    expect(page.locator("[data-error-for=name]")).to_have_text(
        "活动“秋季服务节”已启动过，请换一个名称"
    )
    expect(page.locator("input[name=name]")).to_have_attribute("aria-invalid", "true")


def test_changing_the_campaign_at_the_confirmation_keeps_what_was_typed(
    console, open_page, session, passat_owners
):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/campaigns")
    page.fill("input[name=name]", "爱车课堂")
    page.select_option("select[name=template]", "car_care_class")
    page.get_by_label("帕萨特").check()
    page.get_by_label("同时安排邀约电话").check()
    page.fill("input[name=when]", "周六下午2点")
    page.fill("input[name=offer]", "免费检测")
    page.get_by_role("button", name="检查并确认").click()
    page.get_by_role("button", name="返回修改").click()
    expect(page.locator("input[name=name]")).to_have_value("爱车课堂")
    expect(page.locator("input[name=when]")).to_have_value("周六下午2点")
    expect(page.locator("input[name=offer]")).to_have_value("免费检测")
    expect(page.locator("select[name=template]")).to_have_value("car_care_class")
    expect(page.get_by_label("帕萨特")).to_be_checked()
    expect(page.get_by_label("同时安排邀约电话")).to_be_checked()
    assert session.exec(select(Campaign)).all() == []


@pytest.fixture
def client(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def test_an_agent_may_not_see_or_launch_a_campaign(client, session):
    signed_in(client, "a01")
    assert client.get("/campaigns").status_code == 403
    answer = client.post(
        "/campaigns/launch",
        data={"name": "x", "template": "service_festival", "csrf_token": token_of(client, "/day")},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 403
    assert session.exec(select(Campaign)).all() == []


def test_a_launch_without_the_forms_token_is_refused(client, session):
    signed_in(client, "m01")
    answer = client.post(
        "/campaigns/launch",
        data={"name": "x", "template": "service_festival"},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 403
    assert session.exec(select(Campaign)).all() == []


def test_the_invitation_calls_carry_the_campaigns_date_place_and_offer(client, session):
    from crm.models import FollowupTask

    signed_in(client, "m01")
    answer = client.post(
        "/campaigns/launch",
        data={
            "name": "冬季服务节",
            "template": "service_festival",
            "consent": "any",
            "call_days": "7",
            "with_calls": "1",
            "when": "12月20日",
            "where": "本店售后大厅",
            "offer": "工时费8折",
            "csrf_token": token_of(client, "/campaigns"),
        },
        headers={"Origin": BASE},
        follow_redirects=False,
    )

    assert answer.status_code in (200, 303), answer.text
    calls = session.exec(select(FollowupTask).where(FollowupTask.kind == "campaign_call")).all()
    assert calls and {c.details["offer"] for c in calls} == {"工时费8折"}
    assert {(c.details["when"], c.details["where"]) for c in calls} == {
        ("12月20日", "本店售后大厅")
    }

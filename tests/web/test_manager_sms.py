"""The SMS pages in a real Chromium: the outbox filtered and paged, one message, the
templates with their lint, the opt-outs and a manual one; and who may see what."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import AuditEvent, Customer, SmsMessage
from tests.factories import add_message
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import BASE, console_of, signed_in, token_of


@pytest.fixture
def outbox(session, desk):
    """The demo store's messages: queued, delivered and one failed; one in store north."""
    people = {c.phone: c for c in session.exec(select(Customer))}
    first, second = people["+8613800138000"], people["+8613900000001"]
    stranger = people["+8613700000001"]
    return {
        "queued": add_message(session, second, "first_service_sms"),
        "delivered": add_message(session, first, "birthday_sms", status="delivered"),
        "failed": add_message(
            session,
            first,
            "holiday_sms",
            status="failed",
            error_code="30007",
            error_message="运营商拦截",
            body="【示例汽车4S店】尊敬的客户0先生，中秋节快乐！回T退订",
        ),
        "other_store": add_message(session, stranger, "first_service_sms"),
    }


def test_a_manager_filters_the_outbox_and_opens_a_message(console, open_page, outbox, database_url):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/sms")
    rows = page.locator("#outbox table.outbox tbody tr")
    expect(rows).to_have_count(3)  # not store north's
    page.select_option("select[name=status]", "failed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("运营商拦截")
    page.select_option("select[name=status]", "")
    page.fill("input[name=phone]", "138 0013 8000")
    page.press("input[name=phone]", "Enter")
    expect(rows).to_have_count(2)
    screenshot(page, "m-sms-outbox", database_url)
    page.fill("input[name=phone]", "12")
    page.press("input[name=phone]", "Enter")
    expect(page.locator("[data-error-for=phone]")).to_contain_text("号码无效")
    page.fill("input[name=phone]", "")
    # Leaving the emptied field filters at once (its change), so the error goes with it.
    page.locator("input[name=phone]").blur()
    expect(page.locator("[data-error-for=phone]")).to_have_text("")
    expect(rows).to_have_count(3)
    page.select_option("select[name=kind]", "holiday_sms")
    expect(rows).to_have_count(1)

    rows.first.get_by_role("link", name=str(outbox["failed"].id)).click()
    page.wait_for_url(f"**/sms/{outbox['failed'].id}")
    expect(page.locator("[data-sms-text]")).to_have_text(outbox["failed"].body)
    expect(page.locator("[data-status]")).to_contain_text("30007")


def test_the_outbox_pages_through_the_filtered_messages(console, open_page, session, desk):
    someone = session.exec(select(Customer).where(Customer.store_id == 1)).first()
    for _ in range(53):
        add_message(session, someone, "first_service_sms")
    add_message(session, someone, "birthday_sms", status="delivered")
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/sms")
    expect(page.locator("[data-total]")).to_have_text("共54条")
    page.select_option("select[name=status]", "queued")
    expect(page.locator("[data-total]")).to_have_text("共53条")
    rows = page.locator("#outbox table.outbox tbody tr")
    expect(rows).to_have_count(50)
    page.get_by_role("button", name="下一页").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#outbox .pages")).to_contain_text("第2/2页")


def test_the_templates_show_their_lint(console, open_page):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/sms/templates")
    festival = page.locator("tr[data-template='zh_CN/service_festival']")
    expect(festival).to_have_attribute("data-ok", "yes")
    expect(festival).to_contain_text("UCS-2")
    expect(festival).to_contain_text("回T退订")


def test_a_manager_records_an_opt_out_in_their_own_store_only(
    console, open_page, session, outbox, database_url
):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/sms/opt-outs")
    expect(page.locator("[data-total]")).to_have_text("共0位客户拒收短信")
    page.fill("#opt-out-phone", "139 0000 0001")
    page.press("#opt-out-phone", "Enter")
    expect(page.locator("#opted-out")).to_contain_text("+8613900000001")
    expect(page.locator("#opted-out")).to_contain_text("取消了1条待发短信")
    expect(page.locator("table.opt-outs tbody tr")).to_have_count(1)
    screenshot(page, "m-sms-opt-outs", database_url)

    page.fill("#opt-out-phone", "137 0000 0001")  # store north's customer
    page.press("#opt-out-phone", "Enter")
    expect(page.locator("[data-error-for=phone]")).to_have_text(
        "本店没有号码为+8613700000001的客户，请用顶部搜索按姓名或车牌找到客户，再对其号码退订"
    )
    expect(page.locator("#opt-out-phone")).to_have_value("137 0000 0001")

    session.expire_all()
    consent = {
        c.phone: (c.sms_consent, c.sms_consent_source)
        for c in session.exec(select(Customer).where(Customer.phone.startswith("+86139000000")))
    }
    assert consent["+8613900000001"] == (False, "manual")
    assert session.get(SmsMessage, outbox["queued"].id).status == "cancelled"
    stranger = session.get(Customer, outbox["other_store"].customer_id)
    assert stranger.sms_consent is True
    assert session.get(SmsMessage, outbox["other_store"].id).status == "queued"
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "consent")).all()
    assert (event.actor, event.customer_id) == ("m01", outbox["queued"].customer_id)
    assert (event.detail["sms_consent"], event.detail["source"]) == ([True, False], "manual")


@pytest.fixture
def client(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def test_an_agent_may_see_no_sms_page(client, outbox, session):
    signed_in(client, "a01")
    for path in ("/sms", "/sms/templates", "/sms/opt-outs", f"/sms/{outbox['queued'].id}"):
        assert client.get(path).status_code == 403, path
    answer = client.post(
        "/sms/opt-outs",
        data={"phone": "13900000001", "csrf_token": token_of(client, "/day")},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 403
    assert session.get(Customer, outbox["queued"].customer_id).sms_consent is True


def test_another_stores_message_does_not_exist_for_a_manager(client, outbox):
    signed_in(client, "m01")
    assert client.get(f"/sms/{outbox['other_store'].id}").status_code == 404
    assert client.get(f"/sms/{outbox['queued'].id}").status_code == 200
    for wrong in ("0", "99999999999", "abc", "²"):
        assert client.get(f"/sms/{wrong}").status_code == 404, wrong


def test_a_phone_filter_stays_out_of_the_address(client, outbox):
    signed_in(client, "m01")
    answer = client.post(
        "/sms",
        data={"phone": "13800138000", "csrf_token": token_of(client, "/sms")},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 200
    assert answer.url.path == "/sms" and not answer.url.query
    assert f'data-message-id="{outbox["failed"].id}"' in answer.text
    assert f'data-message-id="{outbox["queued"].id}"' not in answer.text


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_no_clock_can_hold_is_one_sentence_beside_the_day(client, outbox, day):
    signed_in(client, "m01")
    answer = client.get(f"/sms?day={day}")
    assert answer.status_code == 422
    assert 'data-error-for="day" role="alert">请按 2026-03-01 的格式填写日期。<' in answer.text
    assert f'data-message-id="{outbox["queued"].id}"' in answer.text  # the unfiltered outbox

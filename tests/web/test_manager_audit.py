"""The audit page in a real Chromium: the store's changes newest first, by action, a page at a
time; a customer's own changes on their page; agents refused, other stores' rows unseen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.access.audit import ACTIONS, record
from crm.clock import utcnow
from crm.models import Store
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import console_of, signed_in
from web.text import WORDS

PAGE = 50  # web.page_size


@pytest.fixture
def trail(desk, session) -> dict:
    """Store demo: 52 reassignments, then a consent and a route; store north: one consent."""
    start = utcnow() - timedelta(hours=2)
    for n in range(52):
        record(
            session,
            store_id=1,
            actor="m01",
            action="reassign",
            at=start + timedelta(minutes=n),
            subject="a01 -> a02",
            detail={"calls": n},
        )
    record(
        session,
        store_id=1,
        actor="a01",
        action="consent",
        at=start + timedelta(minutes=60),
        subject=f"customer:{desk.history_customer}",
        customer_id=desk.history_customer,
        detail={"sms_consent": [True, False], "source": "call"},
    )
    record(
        session,
        store_id=1,
        actor="m01",
        action="complaint_route",
        at=start + timedelta(minutes=61),
        subject="complaint:7",
        customer_id=desk.history_customer,
        detail={"department": ["parts", "after_sales"]},
    )
    north = session.exec(select(Store).where(Store.code == "north")).one()
    record(
        session,
        store_id=north.id,
        actor="b01",
        action="consent",
        at=start,
        customer_id=desk.other_store_customer,
        detail={"sms_consent": [True, False], "source": "call"},
    )
    session.commit()
    return {"customer": desk.history_customer}


def test_a_manager_reads_the_trail_newest_first_filters_it_and_pages_back(
    console, open_page, trail, database_url
):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.goto(f"{console}/audit")

    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(PAGE)
    expect(rows.nth(0)).to_have_attribute("data-action", "complaint_route")
    expect(rows.nth(0)).to_contain_text("投诉转派")
    expect(rows.nth(0)).to_contain_text("配件 → 售后部")
    expect(rows.nth(1)).to_contain_text("短信许可变更")
    expect(rows.nth(1)).to_contain_text("短信许可：是 → 否")
    expect(rows.nth(1)).to_contain_text("回访电话")
    expect(page.locator("table.audit")).not_to_contain_text("b01")  # store north's
    screenshot(page, "m9-audit", database_url)

    page.click("a[rel=next]")
    expect(rows).to_have_count(54 - PAGE)  # the 52 + 2 of this store, the oldest last
    expect(rows.last).to_contain_text("calls：0")
    expect(page.locator("a[rel=next]")).to_have_count(0)

    page.select_option("#action", "consent")
    page.focus("#action")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**action=consent")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("a01")


def test_a_customers_page_shows_their_own_changes_to_an_agent_too(console, open_page, trail):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    page.goto(f"{console}/customers/{trail['customer']}")

    rows = page.locator(".customer-audit table.audit tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("投诉转派")
    expect(rows.first.locator("a")).to_have_attribute("href", "/complaints/7")
    expect(rows.nth(1)).to_contain_text("短信许可变更")


def test_an_agent_is_refused_the_audit_page(console, open_page, trail):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    assert page.goto(f"{console}/audit").status == 403
    expect(page.locator("main")).to_contain_text("此页面仅限经理使用")


@pytest.fixture
def client(database_url, trail, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def test_an_unknown_action_in_the_address_is_a_sentence_beside_the_filter(client):
    signed_in(client, "m01")

    answer = client.get("/audit?action=phone")

    assert answer.status_code == 422
    assert 'data-error-for="action">没有这种操作类型，请从列表中选择<' in answer.text


def test_every_recorded_action_has_its_words_in_both_languages():
    for action in ACTIONS:
        zh, en = WORDS[f"audit_act_{action}"]
        assert zh and en and zh != action

"""The manager's complaints in a real Chromium: overdue first, the timeline, a note, a new
department and owner, the resolution; agents refused, another store's complaint missing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.app import App
from crm.clock import utcnow
from crm.config import Settings
from crm.models import AuditEvent, Complaint, ComplaintNote, Store
from tests.factories import add_customer, add_user
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import BASE, console_of, signed_in, token_of


@dataclass
class Cases:
    late: int  # received eight days ago, never answered: both deadlines missed
    fresh: int  # received now
    other_store: int  # store north's


@pytest.fixture
def cases(desk, session, database_url, password_hash) -> Cases:
    """Two complaints of store demo, one of store north, and north's manager n01."""
    from crm.actions.cases import open_complaint
    from crm.actions.context import open_store

    app = App(Settings(), database_url)
    now = utcnow()
    late = open_complaint(
        open_store(app, now=now - timedelta(days=8)), desk.phone, "parts", "配件等了两周"
    )
    fresh = open_complaint(open_store(app, now=now), "13900000001", "staff_attitude", "态度差")
    north = session.exec(select(Store).where(Store.code == "north")).one()
    add_user(session, "n01", "manager", password_hash, store_id=north.id, name="赵经理")
    add_customer(session, store_id=north.id, name="北区车主", phone="+8613700000002")
    theirs = open_complaint(open_store(app, "north", now), "13700000002", "price", "太贵")
    return Cases(late["complaint_id"], fresh["complaint_id"], theirs["complaint_id"])


def audit_rows(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.action, e.actor) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_manager_works_a_late_complaint_from_the_list_to_its_resolution(
    console, open_page, cases, session, database_url
):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")  # a manager's home
    page.goto(f"{console}/complaints")

    rows = page.locator("table.complaints tbody tr")
    expect(rows).to_have_count(2)  # store north's is not on this store's list
    expect(rows.first).to_have_attribute("data-complaint-id", str(cases.late))
    expect(rows.first).to_have_class(re.compile("is-overdue"))
    expect(rows.first).to_contain_text("超时未响应")
    expect(rows.first).to_contain_text("超时未解决")
    expect(rows.nth(1)).to_contain_text("服务态度")  # category and department in words
    expect(rows.nth(1)).to_contain_text("客服部")
    expect(page.locator("table.complaints")).not_to_contain_text("staff_attitude")
    expect(page.locator("[data-count=overdue]")).to_have_text("1")
    screenshot(page, "m3-complaints", database_url)

    rows.first.locator("a").first.focus()  # the keyboard alone from here
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/complaints/{cases.late}")
    expect(page.locator("[data-deadline=resolve_by]")).to_have_class(re.compile("late"))
    expect(page.locator("[data-field=department]")).to_have_text("配件")
    page.focus("#note")
    page.keyboard.type("已联系厂家，配件周五到店")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**done=note")
    note = page.locator(".timeline li[data-event=note]")
    expect(note).to_contain_text("已联系厂家，配件周五到店")
    expect(note).to_contain_text("m01")

    page.select_option("#department", "after_sales")
    page.select_option("#agent", "a02")
    page.click("form[action$='/route'] button")
    page.wait_for_url("**done=route")
    expect(page.locator("[data-field=department]")).to_have_text("售后部")
    expect(page.locator("[data-field=owner]")).to_contain_text("张雨婷")
    expect(page.locator(".timeline li[data-event=routed]").last).to_contain_text("售后部")

    page.click("form[action$='/resolve'] button")  # nothing written yet
    expect(page.locator("#resolution-error")).to_have_text("请填写处理结果：门店是如何解决的")
    expect(page.locator("#resolution")).to_be_focused()
    screenshot(page, "m3-complaint-refused", database_url)
    page.keyboard.type("更换配件并赠送一次保养")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**done=resolve")
    expect(page.locator("[data-status]")).to_have_text("已解决")
    expect(page.locator(".timeline li[data-event=resolved]")).to_contain_text("更换配件")
    expect(page.locator("form[action$='/resolve']")).to_have_count(0)
    screenshot(page, "m3-complaint", database_url)

    session.expire_all()
    stored = session.get(Complaint, cases.late)
    assert (stored.status, stored.department, stored.resolution) == (
        "resolved",
        "after_sales",
        "更换配件并赠送一次保养",
    )
    assert audit_rows(session) == [("complaint_route", "m01"), ("complaint_resolve", "m01")]


def test_an_agent_is_refused_the_complaints_pages(console, open_page, cases):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    expect(page.locator("header nav")).not_to_contain_text("投诉")
    for path in ("/complaints", f"/complaints/{cases.late}"):
        assert page.goto(f"{console}{path}").status == 403, path
        expect(page.locator("main")).to_contain_text("此页面仅限经理使用")


def test_another_stores_manager_finds_no_such_complaint(console, open_page, cases):
    page = open_page()
    sign_in(page, console, "n01")
    page.wait_for_url("**/dashboard")
    assert page.goto(f"{console}/complaints/{cases.late}").status == 404
    assert page.goto(f"{console}/complaints/{cases.other_store}").status == 200
    page.goto(f"{console}/complaints")
    expect(page.locator("table.complaints tbody tr")).to_have_count(1)


@pytest.fixture
def client(database_url, cases, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


@pytest.mark.parametrize("change", ["note", "route", "resolve"])
def test_no_change_reaches_another_stores_complaint_or_comes_from_an_agent(
    client, cases, session, change
):
    form = {"note": "x", "department": "sales", "agent": "a02", "resolution": "x"}
    signed_in(client, "n01")
    form["csrf_token"] = token_of(client, "/complaints")
    theirs = client.post(f"/complaints/{cases.late}/{change}", data=form, headers={"Origin": BASE})
    client.cookies.clear()
    signed_in(client, "a01")
    form["csrf_token"] = token_of(client, "/day")
    agents = client.post(f"/complaints/{cases.late}/{change}", data=form, headers={"Origin": BASE})

    assert (theirs.status_code, agents.status_code) == (404, 403)
    session.expire_all()
    assert session.get(Complaint, cases.late).status == "open"
    assert session.exec(select(ComplaintNote)).all() == []
    assert audit_rows(session) == []


def test_every_change_is_a_post_and_an_unknown_one_is_missing(client, cases):
    signed_in(client, "m01")
    token = token_of(client, "/complaints")
    for change in ("note", "route", "resolve"):
        assert client.get(f"/complaints/{cases.late}/{change}").status_code in (404, 405)
    unknown = client.post(
        f"/complaints/{cases.late}/delete", data={"csrf_token": token}, headers={"Origin": BASE}
    )
    assert unknown.status_code == 404


def test_a_refused_route_says_why_beside_its_field_and_keeps_the_choice(client, cases):
    signed_in(client, "m01")
    token = token_of(client, f"/complaints/{cases.late}")

    same = client.post(
        f"/complaints/{cases.late}/route",
        data={"department": "", "agent": "", "csrf_token": token},
        headers={"Origin": BASE},
    )

    assert same.status_code == 422
    assert re.search(r'data-error-for="department">请选择新的责任部门或负责人<', same.text)


def test_a_bad_status_in_the_address_is_a_sentence_beside_the_filter(client, cases):
    signed_in(client, "m01")

    answer = client.get("/complaints?status=pending")

    assert answer.status_code == 422
    assert 'data-error-for="status">没有这个状态，请从列表中选择<' in answer.text


def test_a_page_past_the_end_shows_the_last_one(client, cases):
    signed_in(client, "m01")

    answer = client.get("/complaints?page=99")

    assert answer.status_code == 200
    assert answer.text.count("data-complaint-id=") == 2 and "第1/1页" in answer.text

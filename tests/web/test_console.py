"""The agents' console in a real Chromium: sign in, work the day's calls by keyboard, stay
inside one's store, and refuse what did not come from the console's own pages."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from playwright.sync_api import expect
from sqlmodel import select

from crm.models import (
    ContactAttempt,
    Customer,
    DoNotCall,
    FollowupTask,
    Inquiry,
    LoginEvent,
)
from tests.web.conftest import OUTCOME_KINDS, free_port, screenshot, sign_in

KEYS = {
    "reached": "r",
    "no_answer": "n",
    "busy": "b",
    "wrong_number": "w",
    "declined": "d",
    "callback_later": "l",
}


def card_of(page):
    return page.locator("#card .call-card")


def test_an_agent_signs_in_sees_the_day_and_signs_out(console, open_page, desk, database_url):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    expect(page.locator("header.bar")).to_contain_text("李晓梅")
    expect(page.locator("#list li.call")).to_have_count(len(desk.calls))
    expect(page.locator("[data-count=due]")).to_have_text(str(len(desk.calls)))
    expect(page.locator("[data-count=overdue]")).to_have_text(str(len(desk.calls) - 1))
    first = page.locator("#list li.call").first
    expect(first).to_have_attribute("data-task-id", str(desk.calls[0]))
    expect(first).to_contain_text("逾期5天")
    screenshot(page, "1-my-day", database_url)
    page.click("form.logout button")
    page.wait_for_url("**/login")
    page.goto(f"{console}/day")
    page.wait_for_url("**/login")


def test_a_wrong_password_says_so_beside_the_field_and_is_recorded(
    console, open_page, session, database_url
):
    page = open_page()
    sign_in(page, console, "a01", "not-the-password")
    expect(page.locator("#password-error")).to_have_text("用户名或密码错误")
    assert page.url.endswith("/login")
    screenshot(page, "0-login-refused", database_url)
    results = session.exec(select(LoginEvent.result).where(LoginEvent.username == "a01")).all()
    assert results == ["wrong_password"]


def test_five_failed_logins_make_the_name_wait_but_not_another(console, open_page, session):
    page = open_page()
    for _ in range(5):
        sign_in(page, console, "a01", "guessing-again")
        expect(page.locator("#password-error")).to_be_visible()
    sign_in(page, console, "a01")  # the right password, too late
    expect(page.locator("#password-error")).to_contain_text("登录失败次数过多")
    assert page.url.endswith("/login")
    sign_in(page, console, "a02")
    page.wait_for_url("**/day")
    results = session.exec(select(LoginEvent.result).order_by(LoginEvent.id)).all()
    assert results == ["wrong_password"] * 5 + ["throttled", "ok"]


def test_an_agent_works_six_calls_with_the_keyboard_alone(
    console, open_page, desk, session, database_url
):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    page.keyboard.press("j")  # opens the first call
    tomorrow = (desk.today + timedelta(days=1)).isoformat()
    for task_id, (_kind, outcome) in zip(desk.calls, OUTCOME_KINDS, strict=True):
        expect(card_of(page)).to_have_attribute("data-task-id", str(task_id))
        expect(card_of(page)).to_be_focused()  # where the keys go after each save
        page.keyboard.press(KEYS[outcome])
        expect(page.locator(f"#card [data-outcome={outcome}]")).to_be_checked()
        if outcome == "reached":
            page.keyboard.press("5")
            page.keyboard.press("m")
            page.keyboard.type("5800")
            page.keyboard.press("Escape")
            page.keyboard.press("e")
            page.keyboard.type("客户很满意")
            if task_id == desk.calls[0]:
                screenshot(page, "2-call-card", database_url)
        if outcome == "callback_later":
            page.keyboard.type(f"{tomorrow} 10:30")  # L put the cursor in the time field
        page.keyboard.press("Control+Enter")
        expect(page.locator("#flash")).to_contain_text(f"#{task_id}")
    expect(page.locator("#card")).to_contain_text("列表已全部完成")
    expect(page.locator("[data-count=done_today]")).to_have_text("6")

    session.expire_all()
    logged = {
        a.task_id: a
        for a in session.exec(select(ContactAttempt).where(ContactAttempt.task_id.in_(desk.calls)))
    }
    assert {task_id: logged[task_id].outcome for task_id in desk.calls} == {
        task_id: outcome
        for task_id, (_kind, outcome) in zip(desk.calls, OUTCOME_KINDS, strict=True)
    }
    reached = logged[desk.calls[0]]
    assert (reached.satisfaction, reached.mileage_km, reached.note) == (5, 5800, "客户很满意")
    tasks = {
        t.id: t for t in session.exec(select(FollowupTask).where(FollowupTask.id.in_(desk.calls)))
    }
    assert tasks[desk.calls[0]].status == "done"
    assert tasks[desk.calls[1]].next_try_on == desk.today + timedelta(days=1)  # no answer
    assert tasks[desk.calls[2]].next_try_on == desk.today + timedelta(days=1)  # busy
    wrong = session.get(Customer, tasks[desk.calls[3]].customer_id)
    assert (tasks[desk.calls[3]].status, wrong.phone_valid) == ("unreachable", False)
    assert tasks[desk.calls[4]].status == "cancelled"
    assert session.exec(
        select(DoNotCall).where(DoNotCall.customer_id == tasks[desk.calls[4]].customer_id)
    ).first()
    callback = tasks[desk.calls[5]]
    assert callback.next_try_on == desk.today + timedelta(days=1)
    assert callback.claimed_by is None  # saved: free again


def test_the_card_shows_the_customers_history(console, open_page, desk, database_url):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    page.goto(f"{console}/calls/{desk.history_task}")
    card = card_of(page)
    expect(card).to_have_attribute("data-task-id", str(desk.history_task))
    expect(card.locator("a.phone")).to_have_attribute("href", f"tel:{desk.phone}")
    expect(card.locator(".notes")).to_contain_text("教师")
    expect(card.locator(".notes")).to_contain_text("钓鱼")
    expect(card.locator(".vehicles")).to_contain_text("朗逸")
    expect(card.locator(".vehicles")).to_contain_text("5200")  # the last visit's mileage
    expect(card.locator(".visits tr")).to_have_count(1)
    expect(card.locator(".say")).not_to_be_empty()
    for outcome in KEYS:
        expect(card.locator(f"[data-outcome={outcome}]")).to_have_count(1)


def test_two_agents_on_one_call_the_second_sees_who_and_cannot_log_it(
    console, open_page, desk, session
):
    first, second = open_page(), open_page()
    sign_in(first, console, "a01")
    first.wait_for_url("**/day")
    first.goto(f"{console}/calls/{desk.calls[0]}")
    expect(card_of(first).locator("[data-claim=mine]")).to_be_attached()  # held by a01
    expect(card_of(first).locator("[data-outcome=reached]")).to_be_enabled()

    sign_in(second, console, "a02")
    second.wait_for_url("**/day")
    second.goto(f"{console}/calls/{desk.calls[0]}")
    expect(card_of(second).locator("[data-held-by]")).to_contain_text("李晓梅")
    expect(card_of(second).locator("[data-outcome=reached]")).to_be_disabled()
    # Even a hand-made POST with a valid token is refused while a01 holds the call.
    token = second.locator("form.result input[name=csrf_token]").input_value()
    answer = second.request.post(
        f"{console}/calls/{desk.calls[0]}/log",
        form={"csrf_token": token, "outcome": "reached"},
        headers={"Origin": console},
    )
    assert "李晓梅 正在拨打此回访，未保存" in answer.text()
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).attempts == 0

    first.keyboard.press("r")
    first.keyboard.press("Control+Enter")
    expect(first.locator("#flash")).to_contain_text(f"#{desk.calls[0]}")
    second.reload()
    expect(card_of(second)).to_contain_text("已关闭")


def test_an_agent_of_one_store_is_refused_another_stores_rows(console, open_page, desk):
    page = open_page()
    sign_in(page, console, "b01")
    page.wait_for_url("**/day")
    for path in (f"/calls/{desk.calls[0]}", f"/customers/{desk.history_customer}"):
        assert page.goto(f"{console}{path}").status == 404
        expect(page.locator("main")).to_contain_text("没有这个页面")
    missing = page.goto(f"{console}/calls/999999")
    assert missing.status == 404  # exactly as a row that does not exist
    assert page.goto(f"{console}/customers/{desk.other_store_customer}").status == 200


class _Evil(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = (
            f'<form id="f" method="post" action="{self.target}">'
            '<input name="outcome" value="reached"><input name="csrf_token" value="guess"></form>'
            "<script>document.getElementById('f').submit()</script>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_forged_post_from_another_site_is_refused_and_changes_nothing(
    console, open_page, desk, session
):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    _Evil.target = f"{console}/calls/{desk.calls[0]}/log"
    evil = HTTPServer(("127.0.0.1", free_port()), _Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        with page.expect_response(_Evil.target) as posted:
            page.goto(f"http://127.0.0.1:{evil.server_port}/")
        assert posted.value.status == 403
    finally:
        evil.shutdown()
    # Same origin but no token (a script that found the session cookie) is refused too.
    bare = page.request.post(
        f"{console}/calls/{desk.calls[0]}/log",
        form={"outcome": "reached"},
        headers={"Origin": console},
    )
    assert bare.status == 403
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).attempts == 0


def test_search_finds_a_customer_by_a_phone_typed_three_ways(
    console, open_page, desk, session, database_url
):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    for typed in ("138 0013 8000", "+86 138-0013-8000", "008613800138000"):
        page.keyboard.press("/")
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        page.wait_for_url("**/search")
        results = page.locator("ul.results li")
        expect(results).to_have_count(1)
        expect(results).to_have_attribute("data-customer-id", str(desk.history_customer))
        assert "138" not in page.url
    screenshot(page, "3-search", database_url)
    page.locator("ul.results a").click()
    expect(page.locator(".customer-page")).to_contain_text("RO")
    expect(page.locator(".open-calls li")).to_have_count(1)
    screenshot(page, "4-customer", database_url)

    # An unknown caller: nothing found, logged as an inquiry, and a lead appears.
    page.keyboard.press("/")
    page.keyboard.type("13911112222")
    page.keyboard.press("Enter")
    expect(page.locator(".hint")).to_contain_text("没有找到客户")
    expect(page.locator("#phone")).to_have_value("13911112222")
    page.select_option("#topic", "price")
    page.click("form.inquiry button")
    expect(page.locator(".customer-page")).to_contain_text("潜在客户")
    session.expire_all()
    inquiry = session.exec(select(Inquiry)).one()
    assert (inquiry.phone, inquiry.topic, inquiry.new_lead) == ("+8613911112222", "price", True)


def test_bad_input_shows_one_sentence_beside_the_field_and_saves_nothing(
    console, open_page, desk, session, database_url
):
    page = open_page()
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    page.goto(f"{console}/calls/{desk.calls[0]}")
    page.keyboard.press("n")  # no answer…
    page.keyboard.press("4")  # …with a rating: only a reached customer can rate
    page.keyboard.press("Control+Enter")
    error = page.locator("[data-error-for=satisfaction]")
    expect(error).to_have_text("只有接通的客户才能评满意度")
    expect(error).to_be_in_viewport()  # the agent sees why without scrolling
    expect(card_of(page)).to_have_attribute("data-task-id", str(desk.calls[0]))
    screenshot(page, "5-bad-input", database_url)
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).attempts == 0


def test_the_day_reads_on_a_phone(console, open_page, desk, database_url):
    page = open_page(viewport=(390, 844))
    sign_in(page, console, "a01")
    page.wait_for_url("**/day")
    expect(page.locator("#list li.call")).to_have_count(len(desk.calls))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    screenshot(page, "6-phone", database_url)

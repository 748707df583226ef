"""The manager's dashboard: today per agent, the month's figures as the report counts them,
complaints, SMS, tomorrow, and a red banner when planning or SMS dispatch stops."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import Agent, JobLastRun, PlanningRun, Store
from crm.overview.health import StoreClock, job_health, record_run
from tests.factories import (
    add_attempt,
    add_complaint,
    add_customer,
    add_sms,
    add_task,
    add_user,
)
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import console_of, signed_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW = (time(9, 0), time(20, 0))
PLANNING = time(6, 30)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


@pytest.fixture
def client(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


@pytest.fixture
def busy_month(session, desk):
    """This month and last: rated calls, an overdue complaint, messages, a call due tomorrow."""
    a01 = session.exec(select(Agent).where(Agent.code == "a01")).one()
    person = add_customer(session, name="赵丽")
    first = month_start(desk.today)
    last_month = month_start(first - timedelta(days=1))
    # This month: one satisfied (5), one not (2): 50%; last month one satisfied: 100%.
    add_attempt(session, person, local(first, 0, 30), satisfaction=5, agent_id=a01.id)
    add_attempt(session, person, local(first, 0, 40), satisfaction=2, agent_id=a01.id)
    add_attempt(session, person, local(last_month, 12), satisfaction=5, agent_id=a01.id)
    now = datetime.now(UTC)
    add_complaint(
        session,
        person,
        now - timedelta(days=10),
        "waiting_time",
        agent_id=a01.id,
        resolve_by=now - timedelta(days=3),
        respond_by=now - timedelta(days=9),
    )
    add_complaint(
        session,
        person,
        now - timedelta(hours=2),
        "price",
        resolve_by=now + timedelta(days=7),
        respond_by=now + timedelta(hours=20),
    )
    sent = local(first, 0, 10)
    add_sms(session, person, "birthday_sms", "delivered", sent, price=-0.05)
    add_sms(session, person, "holiday_sms", "failed", sent, price=-0.05)
    add_sms(session, person, "anniversary_sms", "queued", None)
    tomorrow = desk.today + timedelta(days=1)
    add_task(session, person, "care_call", desk.today, tomorrow, agent_id=a01.id)
    return person


def test_a_manager_reads_the_stores_day_month_and_jobs_on_the_dashboard(
    console, open_page, desk, busy_month, session, crm, database_url
):
    page = open_page((1366, 900))
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")  # the manager's home
    a01 = page.locator("#agents-today tr[data-agent=a01]")
    # The six calls of the day (the first five overdue), plus the one opening today for
    # tomorrow; done: the two calls logged since the day began, if the month began today.
    expect(a01.locator("[data-col=open]")).to_have_text(str(len(desk.calls) + 1))
    expect(a01.locator("[data-col=overdue]")).to_have_text(str(len(desk.calls) - 1))
    expect(page.locator("#agents-today tr[data-agent=a02] [data-col=open]")).to_have_text("0")

    # The month's figures are the month-end report's own, as of today.
    month = desk.today.strftime("%Y-%m")
    report = json.loads(
        crm("report", "monthly", month, "--format", "json", at=datetime.now(UTC)).output
    )
    for row in report["callbacks_by_kind"]:
        shown = page.locator(f"#on-time tr[data-kind={row['kind']}] [data-col=rate]")
        rate = row["on_time_rate"]
        expect(shown).to_have_text("—" if rate is None else f"{rate * 100:.1f}%")
    expect(page.locator("[data-figure=satisfaction]")).to_have_text("50.0%")
    expect(page.locator("#satisfaction")).to_contain_text("100.0%")
    expect(page.locator("#satisfaction")).to_contain_text("-50.0个百分点")

    owners = page.locator("#complaint-owners tbody tr")
    expect(owners.first).to_have_attribute("data-owner", "a01")  # overdue first
    expect(owners.first.locator("[data-col=overdue]")).to_have_text("1")
    urgent = page.locator("#complaints-urgent tbody tr")
    expect(urgent).to_have_count(2)
    expect(urgent.first).to_contain_text("等待维修时间过长")
    expect(urgent.first).to_have_class("is-late")

    figures = {
        name: page.locator(f"#sms-month [data-figure={name}]")
        for name in ("queued", "sent", "delivered", "failed", "cost")
    }
    for name, value in {"queued": "1", "sent": "2", "delivered": "1", "failed": "1"}.items():
        expect(figures[name]).to_have_text(value)
    expect(figures["cost"]).to_have_text("0.10")
    expect(page.locator("#tomorrow tr[data-kind=care_call] [data-col=due]")).to_have_text("1")

    # Job health: nothing planned, dispatch never ran; red only where the clock says so.
    now = datetime.now(SHANGHAI)
    banner = page.locator(".banner")
    if now.time() >= time(7, 0):
        expect(banner.locator("[data-late=planning][data-store=demo]")).to_be_visible()
    if WINDOW[0] <= now.time() < WINDOW[1]:
        expect(banner.locator("[data-late=dispatch][data-store=demo]")).to_be_visible()
    expect(page.locator("#job-health tr[data-store=north]")).to_have_count(0)  # not theirs
    screenshot(page, "m1-dashboard", database_url)

    store = session.exec(select(Store).where(Store.code == "demo")).one()
    session.add(
        PlanningRun(
            store_id=store.id,
            day=desk.today,
            since=desk.today,
            finished_at=datetime.now(UTC),
            host="test",
            pid=1,
        )
    )
    session.commit()
    record_run(session, "sms_dispatch", datetime.now(UTC))
    page.reload()
    expect(page.locator(".banner")).to_have_count(0)
    expect(page.locator("#job-health tr[data-store=demo]")).to_contain_text(desk.today.isoformat())


def test_an_admin_picks_the_store_and_sees_every_stores_jobs(
    console, open_page, session, password_hash
):
    add_user(session, "ad1", "admin", password_hash, name="管理员")
    page = open_page()
    sign_in(page, console, "ad1")
    page.wait_for_url("**/dashboard")
    expect(page.locator("#job-health tbody tr")).to_have_count(2)
    page.select_option("#store-pick", "north")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h1")).to_contain_text("北区店")
    expect(page.locator("#agents-today tr[data-agent=b01] [data-col=open]")).to_have_text("1")


def test_an_agent_is_refused_the_dashboard(client):
    signed_in(client, "a01")
    answer = client.get("/dashboard")
    assert answer.status_code == 403
    assert "此页面仅限经理使用" in answer.text


def test_a_manager_sees_only_their_own_store_whatever_the_url_says(client, session, password_hash):
    north = session.exec(select(Store).where(Store.code == "north")).one()
    add_user(session, "n01", "manager", password_hash, store_id=north.id, name="北区经理")
    signed_in(client, "n01")
    answer = client.get("/dashboard?store=demo")
    assert answer.status_code == 200
    assert "北区店" in answer.text and "李晓梅" not in answer.text


# Job health as a function of the facts and the clock -----------------------------------

TODAY = date(2026, 3, 10)


def health_at(session, moment: datetime) -> dict:
    store = session.exec(select(Store).where(Store.code == "demo")).one()
    clock = StoreClock(
        store.id, store.code, store.name, SHANGHAI, moment.astimezone(SHANGHAI).date()
    )
    return job_health(session, [clock], moment, PLANNING, WINDOW)[0]


def planned(session, day: date, at: datetime) -> None:
    session.add(
        PlanningRun(store_id=1, day=day, since=day, started_at=at, finished_at=at, host="h", pid=1)
    )
    session.commit()


def test_a_day_not_planned_by_seven_is_late_and_planned_it_is_not(session):
    planned(session, TODAY - timedelta(days=1), local(TODAY - timedelta(days=1), 6, 31))
    early = health_at(session, local(TODAY, 6, 29))
    waiting = health_at(session, local(TODAY, 6, 59))
    late = health_at(session, local(TODAY, 7, 0))
    planned(session, TODAY, local(TODAY, 7, 5))
    caught_up = health_at(session, local(TODAY, 7, 10))

    assert (early["planning_late"], early["next_planning_at"]) == (False, "2026-03-10 06:30")
    assert (waiting["planning_late"], waiting["next_planning_at"]) == (False, "due")
    assert (late["planning_late"], late["next_planning_at"]) == (True, "due")
    assert late["last_planned_day"] == "2026-03-09"
    assert (caught_up["planning_late"], caught_up["next_planning_at"]) == (
        False,
        "2026-03-11 06:30",
    )


def test_a_run_before_half_past_six_is_planned_again_at_half_past_six(session):
    planned(session, TODAY, local(TODAY, 5, 0))

    assert health_at(session, local(TODAY, 6, 0))["next_planning_at"] == "2026-03-10 06:30"


def test_dispatch_silent_for_ten_minutes_is_late_only_inside_the_send_window(session):
    never = health_at(session, local(TODAY, 10))
    record_run(session, "sms_dispatch", local(TODAY, 9, 55))
    record_run(session, "sms_dispatch", local(TODAY, 10, 0))  # overwrites: one row a job
    fresh = health_at(session, local(TODAY, 10, 10))
    silent = health_at(session, local(TODAY, 10, 11))
    evening = health_at(session, local(TODAY, 20, 30))

    assert never["dispatch_late"] and never["dispatch_last_at"] is None
    assert not fresh["dispatch_late"] and fresh["dispatch_last_at"] == "2026-03-10 10:00"
    assert silent["dispatch_late"]
    assert not evening["dispatch_late"]  # outside the window nothing is due
    assert len(session.exec(select(JobLastRun)).all()) == 1


def test_the_dispatch_job_notes_its_run(session, database_url, monkeypatch):
    from crm.app import App
    from crm.config import Settings
    from jobs.sms import run_dispatch

    app = App(Settings(), database_url)
    sender = type("Quiet", (), {"name": "console"})()
    monkeypatch.setattr("jobs.sms.send_due", lambda app, sender: ({}, _Nothing()))
    run_dispatch(app, sender)

    session.expire_all()
    assert session.get(JobLastRun, "sms_dispatch") is not None


class _Nothing:
    def as_json(self) -> dict:
        return {}

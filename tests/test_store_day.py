"""Each store's own day: a group's store in Los Angeles and the configured one in Shanghai.

At 03:00 UTC on 10 March 2026 it is 11:00 on the 10th in Shanghai and 20:00 on the 9th in
Los Angeles. Every command that shows or plans a day for `la1` must say the 9th.
"""

import json
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from crm.app import App
from crm.config import Settings
from crm.models import Store
from tests.factories import add_agent, add_customer, add_inquiry, add_task, add_vehicle

AT = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
LA_DAY, SHANGHAI_DAY = "2026-03-09", "2026-03-10"


@pytest.fixture
def la1(crm, session):
    assert crm("stores", "add", "la1", "--name", "LA Motors", "--timezone", "America/Los_Angeles")
    store = session.exec(select(Store).where(Store.code == "la1")).one()
    return store


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_picture_of_the_day_is_the_stores_own_day(crm, la1):
    la = as_json(crm("today", "--store", "la1", "--format", "json", at=AT))
    here = as_json(crm("today", "--format", "json", at=AT))

    assert (la["date"], here["date"]) == (LA_DAY, SHANGHAI_DAY)


def test_planning_plans_each_store_for_its_own_today(crm, la1):
    one = as_json(crm("plan", "--store", "la1", "--format", "json", at=AT))
    every = as_json(crm("plan", "--format", "json", at=AT))

    assert one["date"] == LA_DAY
    assert {s["store"]: s["date"] for s in every["stores"]} == {
        "demo": SHANGHAI_DAY,
        "la1": LA_DAY,
    }


def test_the_call_list_and_agents_count_overdue_by_the_stores_day(crm, session, la1):
    customer = add_customer(session, store_id=la1.id)
    task = add_task(
        session, customer, "sales_callback", date(2026, 3, 3), date(2026, 3, 9), agent_id=None
    )
    add_agent(session, "l01", store_id=la1.id)
    assert crm("calls", "assign", "--store", "la1", at=AT).exit_code == 0

    rows = as_json(crm("calls", "list", "--store", "la1", "--format", "json", at=AT))
    table = crm("calls", "list", "--store", "la1", at=AT)
    agents = as_json(crm("agents", "list", "--store", "la1", "--format", "json", at=AT))

    # Due the 9th, and it is still the 9th in Los Angeles: due today, not a day late.
    assert [(r["task_id"], r["overdue"]) for r in rows] == [(task.id, False)]
    assert f"LA Motors · {LA_DAY}" in table.output
    assert agents[0]["overdue_calls"] == 0


def test_the_inquiries_list_ends_on_the_stores_today(crm, session, la1):
    # 12:00 on 7 February in Los Angeles: inside the 30 days ending the 9th, not the 10th.
    add_inquiry(session, datetime(2026, 2, 7, 20, 0, tzinfo=UTC), "price", store_id=la1.id)

    rows = as_json(crm("inquiries", "list", "--store", "la1", "--format", "json", at=AT))

    assert len(rows) == 1


def test_a_campaign_launches_on_the_stores_day(crm, session, la1):
    owner = add_customer(session, store_id=la1.id)
    add_vehicle(session, owner, date(2025, 1, 5))

    launched = as_json(
        crm(
            "campaign",
            "launch",
            "spring",
            "--template",
            "service_festival",
            "--store",
            "la1",
            "--format",
            "json",
            at=AT,
        )
    )
    listed = as_json(crm("campaign", "list", "--store", "la1", "--format", "json", at=AT))

    assert launched["date"] == LA_DAY
    assert listed[0]["launched_on"] == LA_DAY


def test_the_status_names_each_stores_own_today(crm, la1):
    entries = as_json(crm("status", "--format", "json", at=AT))["stores"]

    assert {e["store"]: e["today"] for e in entries} == {"demo": SHANGHAI_DAY, "la1": LA_DAY}


def test_the_status_says_when_each_store_was_planned_on_its_own_clock(crm, la1):
    # 03:00 UTC on the 10th: 11:00 in Shanghai, 20:00 on the 9th in Los Angeles.
    assert crm("plan", "--store", "demo", at=AT).exit_code == 0
    assert crm("plan", "--store", "la1", at=AT).exit_code == 0

    shown = " ".join(crm("status", at=AT).output.split())  # as read, however it wraps
    entries = as_json(crm("status", "--format", "json", at=AT))["stores"]

    assert "ran 2026-03-10 11:00:00 Asia/Shanghai" in shown
    assert "ran 2026-03-09 20:00:00 America/Los_Angeles" in shown
    assert [e["finished_local"][:19] for e in entries] == [
        "2026-03-10T11:00:00",
        "2026-03-09T20:00:00",
    ]
    assert entries[0]["finished_at"].startswith("2026-03-10T03:00:00")  # stored in UTC


def test_the_scheduler_plans_each_store_at_half_past_six_of_its_own_clock(database_url, la1):
    from freezegun import freeze_time

    from jobs.planning import run_due_planning

    app = App(settings=Settings(), database_url=database_url)
    planned = {}
    # Shanghai's 06:30 on the 10th is 22:30 UTC on the 9th; Los Angeles' is 13:30 UTC the 10th.
    for moment in [
        datetime(2026, 3, 9, 14, 0, tzinfo=UTC),  # both stores past 06:30, neither planned
        datetime(2026, 3, 9, 22, 15, tzinfo=UTC),
        datetime(2026, 3, 9, 22, 30, tzinfo=UTC),
        datetime(2026, 3, 9, 22, 45, tzinfo=UTC),
        datetime(2026, 3, 10, 13, 15, tzinfo=UTC),
        datetime(2026, 3, 10, 13, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 13, 45, tzinfo=UTC),
    ]:
        with freeze_time(moment):
            planned[moment.strftime("%d %H:%M")] = [
                (r["store"], r["date"]) for r in run_due_planning(app)
            ]

    assert planned == {
        "09 14:00": [("demo", "2026-03-09"), ("la1", LA_DAY)],
        "09 22:15": [],
        "09 22:30": [("demo", SHANGHAI_DAY)],
        "09 22:45": [],
        "10 13:15": [],
        "10 13:30": [("la1", "2026-03-10")],
        "10 13:45": [],
    }


def test_one_store_that_cannot_be_planned_does_not_stop_the_others(database_url, session, caplog):
    import logging

    from freezegun import freeze_time

    from jobs.planning import run_due_planning

    # A row written before stores were checked by the core: its zone does not exist.
    session.add(Store(code="aa01", name="Broken", timezone="Mars/Olympus_Mons"))
    session.commit()
    app = App(settings=Settings(), database_url=database_url)

    with freeze_time(AT), caplog.at_level(logging.ERROR):
        planned = run_due_planning(app)

    assert [(r["store"], r["date"]) for r in planned] == [("demo", SHANGHAI_DAY)]
    assert [r.getMessage() for r in caplog.records] == [
        "planning aa01 failed; the next check tries again"
    ]


def test_a_scheduler_started_in_the_night_still_plans_the_store_at_half_past_six(
    database_url, session, la1
):
    from freezegun import freeze_time

    from jobs.planning import run_due_planning, run_planning

    app = App(settings=Settings(), database_url=database_url)
    with freeze_time(datetime(2026, 3, 9, 18, 0, tzinfo=UTC)):  # 02:00 on the 10th, Shanghai
        started = run_planning(app)
    # Overnight, a car is delivered into the DMS and imported.
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 3, 9))
    with freeze_time(datetime(2026, 3, 9, 22, 30, tzinfo=UTC)):  # 06:30 in Shanghai
        morning = run_due_planning(app)

    assert ("demo", SHANGHAI_DAY) in [(r["store"], r["date"]) for r in started]
    assert [(r["store"], r["date"], r["created"]) for r in morning] == [
        ("demo", SHANGHAI_DAY, {"sales_callback": 1})
    ]

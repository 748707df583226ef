"""One stop per customer: the maintenance reminder due on a repair's callback is one call."""

import json
from datetime import date, timedelta

from sqlmodel import select

from crm.followup.joined import HELD
from crm.models import FollowupTask
from tests.factories import (
    NOW,
    TODAY,
    add_agent,
    add_customer,
    add_vehicle,
    add_visit,
    task_updates,
)
from tests.test_planning import plan

KM = 15_300


def repair_past_maintenance(session, name: str = "王伟", km: int | None = None):
    """A car serviced last autumn that comes in for a repair already past its next service."""
    wang = add_customer(session, name=name)
    car = add_vehicle(session, wang, date(2024, 9, 1), model="朗逸")
    add_visit(session, car, date(2025, 5, 1), 5_000, "first_service")
    add_visit(session, car, date(2025, 11, 1), 10_000)  # next service by months: 2026-05-01
    plan(session, TODAY - timedelta(days=2))
    add_visit(session, car, TODAY - timedelta(days=1), km or KM, "repair")  # past 15,000 km now
    return car


def open_calls(session):
    session.expire_all()
    return {
        t.kind: t for t in session.exec(select(FollowupTask).where(FollowupTask.status == "open"))
    }


def test_the_maintenance_reminder_rides_on_the_repairs_callback(session):
    repair_past_maintenance(session)

    plan(session, TODAY)

    calls = open_calls(session)
    callback, reminder = calls["service_callback"], calls["maintenance_call"]
    assert callback.details["maintenance_due"] == reminder.details["predicted_on"]
    # The reminder is held off the list while the callback is open.
    assert reminder.next_try_on == HELD


def test_the_list_shows_one_stop_worded_past_its_maintenance(crm, session):
    repair_past_maintenance(session)
    crm("plan")

    rows = json.loads(crm("calls", "list", "--format", "json").output)

    assert [row["kind"] for row in rows] == ["service_callback"]
    assert rows[0]["talking_points"].endswith("；另：车辆已超过保养里程，请顺便邀约保养")


def test_a_reached_callback_settles_the_reminder_too(crm, session):
    repair_past_maintenance(session)
    add_agent(session, "a01")
    crm("plan")
    callback = open_calls(session)["service_callback"]

    result = crm("calls", "log", callback.id, "--outcome", "reached", "--satisfaction", "5")

    assert "maintenance reminder" in result.output and "done on the same call" in result.output
    assert open_calls(session) == {}


def test_an_unanswered_callback_keeps_the_reminder_held_until_it_closes(crm, session, tmp_path):
    repair_past_maintenance(session)
    add_agent(session, "a01")
    crm("plan")
    callback = open_calls(session)["service_callback"]
    config = tmp_path / "two.toml"
    config.write_text("[followup]\nmax_attempts = 2\n", encoding="utf-8")

    crm("--config", config, "calls", "log", callback.id, "--outcome", "no_answer")
    tomorrow = NOW + timedelta(days=1)
    first = json.loads(crm("calls", "list", "--format", "json", at=tomorrow).output)
    closed = crm("--config", config, "calls", "log", callback.id, "--outcome", "busy", at=tomorrow)
    after = json.loads(crm("calls", "list", "--format", "json", at=tomorrow + timedelta(1)).output)

    assert [row["kind"] for row in first] == ["service_callback"]  # still one stop
    assert "now on the list on its own" in closed.output
    assert [row["kind"] for row in after] == ["maintenance_call"]


def test_a_reminder_coming_due_while_the_callback_is_open_joins_it(crm, session, monkeypatch):
    # Due 2026-03-22: the reminder's window opens on 03-19, the callback still unworked.
    monkeypatch.setattr("tests.test_one_stop.KM", 14_600)
    repair_past_maintenance(session)
    plan(session, TODAY)
    assert set(open_calls(session)) == {"service_callback"}

    for days in range(1, 10):
        plan(session, TODAY + timedelta(days=days))

    calls = open_calls(session)
    assert calls["service_callback"].details["maintenance_due"] == "2026-03-22"
    assert calls["maintenance_call"].next_try_on == HELD
    rows = json.loads(crm("calls", "list", "--format", "json", at=NOW + timedelta(days=9)).output)
    assert [row["kind"] for row in rows] == ["service_callback"]
    assert rows[0]["talking_points"].endswith("；另：预计2026-03-22需要保养，请顺便邀约")


def test_reminders_joining_stored_callbacks_in_one_run_each_say_their_own_car(session):
    """Two callbacks planned on one day, two reminders joining them days later in one run:
    each callback says its own car's date, and one UPDATE tells both."""
    cars = [
        repair_past_maintenance(session, name, km)
        for name, km in (("王伟", 14_600), ("李娜", 14_750))
    ]
    plan(session, TODAY)
    assert set(open_calls(session)) == {"service_callback"}
    with task_updates() as updates:
        plan(session, TODAY + timedelta(days=9))

    session.expire_all()
    said = {}
    for car in cars:
        calls = {
            t.kind: t
            for t in session.exec(
                select(FollowupTask).where(
                    FollowupTask.vehicle_id == car.id, FollowupTask.status == "open"
                )
            )
        }
        said[car.id] = calls["service_callback"].details["maintenance_due"]
        assert said[car.id] == calls["maintenance_call"].details["predicted_on"]
        assert calls["maintenance_call"].next_try_on == HELD
    assert len(set(said.values())) == 2  # two cars, two dates, each on its own callback
    assert len([u for u in updates if "details" in u]) == 1

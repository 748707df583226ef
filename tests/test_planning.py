"""Planning exactly once: re-runs, concurrent planners, catch-up, who is skipped, what closes."""

import json
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import func, select

from crm import db
from crm.config import Settings
from crm.followup.planner import plan_day
from crm.models import (
    ContactAttempt,
    DoNotCall,
    FollowupTask,
    SmsMessage,
    Store,
    Vehicle,
    VehicleOwnership,
)
from tests.factories import NOW, add_customer, add_vehicle, add_visit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def morning(day: date) -> datetime:
    return datetime.combine(day, time(6, 30), SHANGHAI).astimezone(UTC)


def plan(session, day: date, **kwargs):
    store = session.exec(select(Store)).first()
    return plan_day(session, store, day, Settings(), morning(day), **kwargs)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_planning_the_same_day_twice_creates_nothing_new(session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 3, 1))

    first = plan(session, date(2026, 3, 2))
    second = plan(session, date(2026, 3, 2))

    assert first.created == {"sales_callback": 1}
    assert second.created == {}
    assert count(session, FollowupTask) == 1


def test_two_planners_at_once_create_each_task_once(engine, session):
    for n in range(40):
        owner = add_customer(session, name=f"客户{n}")
        add_vehicle(session, owner, date(2026, 3, 1) - timedelta(days=n % 7))
    results, errors = [], []

    def planner():
        try:
            with db.session(engine) as own:
                results.append(plan(own, date(2026, 3, 2)))
        except Exception as exc:  # surfaced below: a planner must not fail either
            errors.append(exc)

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(sum(r.created.values()) for r in results) == count(session, FollowupTask) == 40
    keys = session.exec(select(FollowupTask.kind, FollowupTask.subject, FollowupTask.cycle)).all()
    assert len(set(keys)) == len(keys)


def test_missed_days_are_caught_up_calls_late_and_stale_greetings_skipped(session):
    wang = add_customer(session, birthday=date(1980, 3, 3))
    li = add_customer(session, name="李娜", birthday=date(1990, 3, 5))
    add_vehicle(session, wang, date(2026, 3, 2))  # its callback window opens 03-03
    plan(session, date(2026, 3, 1))

    # The service was down on 03-02, 03-03 and 03-04.
    result = plan(session, date(2026, 3, 5))

    assert result.since == date(2026, 3, 2)
    task = session.exec(select(FollowupTask)).one()
    assert (task.kind, task.window_start, task.late) == ("sales_callback", date(2026, 3, 3), True)
    assert result.skipped["greeting_too_late"] == 1  # 王伟's birthday, two days ago
    (greeting,) = session.exec(select(SmsMessage)).all()
    assert (greeting.customer_id, greeting.planned_for) == (li.id, date(2026, 3, 5))


def test_a_greeting_one_day_late_is_still_sent(session):
    add_customer(session, birthday=date(1980, 3, 4))
    plan(session, date(2026, 3, 3))

    plan(session, date(2026, 3, 5))

    (greeting,) = session.exec(select(SmsMessage)).all()
    assert greeting.planned_for == date(2026, 3, 4)
    assert greeting.status == "queued"


def test_a_visit_imported_late_still_gets_its_callback(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2025, 1, 1))
    plan(session, date(2026, 3, 5))
    add_visit(session, car, date(2026, 3, 1), 20000, "repair")  # arrives days later

    plan(session, date(2026, 3, 6))

    task = session.exec(select(FollowupTask).where(FollowupTask.kind == "service_callback")).one()
    assert (task.window_start, task.due_date, task.late) == (
        date(2026, 3, 2),
        date(2026, 3, 4),
        True,
    )


def test_lost_customers_do_not_call_and_missing_consent_are_skipped_and_counted(session):
    lost = add_customer(session, status="lost")
    declined = add_customer(session)
    quiet = add_customer(session, birthday=date(1980, 3, 2), marketing_consent=False)
    add_vehicle(session, lost, date(2026, 3, 1))
    add_vehicle(session, declined, date(2026, 3, 1))
    session.add(DoNotCall(customer_id=declined.id, kind="sales_callback", source="call"))
    session.commit()

    result = plan(session, date(2026, 3, 2))

    assert result.created == {}
    assert result.skipped == {"customer_lost_or_deceased": 1, "do_not_call": 1, "no_consent": 1}
    assert quiet.id not in {m.customer_id for m in session.exec(select(SmsMessage))}


def test_a_car_sold_on_greets_only_its_new_owner(session):
    first = add_customer(session, name="王伟")
    second = add_customer(session, name="李娜")
    car = add_vehicle(session, first, date(2024, 3, 2))
    ownership = session.exec(select(VehicleOwnership)).one()
    ownership.ended_on = date(2025, 3, 2)
    car.owner_id = second.id
    session.add_all(
        [
            ownership,
            car,
            VehicleOwnership(vehicle_id=car.id, customer_id=second.id, started_on=date(2025, 3, 2)),
        ]
    )
    session.commit()

    plan(session, date(2026, 3, 2))

    (greeting,) = session.exec(select(SmsMessage)).all()
    assert (greeting.kind, greeting.customer_id, greeting.cycle) == (
        "anniversary_sms",
        second.id,
        "1",
    )
    assert "1周年" in greeting.body


def test_a_greeting_is_signed_and_ends_with_the_opt_out_line(session):
    add_customer(session, name="李娜", gender="female", birthday=date(1990, 3, 2))

    plan(session, date(2026, 3, 2))

    body = session.exec(select(SmsMessage.body)).one()
    assert body.startswith("【示例汽车4S店】李女士，")
    assert body.endswith("回T退订")


def test_a_maintenance_visit_closes_the_open_reminder_and_starts_the_next_cycle(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2025, 1, 1))
    add_visit(session, car, date(2025, 9, 5), 2000, "first_service")
    plan(session, date(2026, 3, 2))  # a light driver: due by months, 03-05; the window is open
    reminder = session.exec(
        select(FollowupTask).where(FollowupTask.kind == "maintenance_call")
    ).one()
    assert reminder.due_date == date(2026, 3, 5)

    add_visit(session, car, date(2026, 3, 3), 15000)
    plan(session, date(2026, 3, 4))

    session.refresh(reminder)
    assert reminder.status == "done"
    session.refresh(car)
    assert car.maintenance_due_on > date(2026, 3, 4)
    assert car.maintenance_basis_visit_id != int(reminder.cycle.split(":")[1])


def test_each_maintenance_task_records_its_prediction(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2025, 12, 1))
    add_visit(session, car, date(2026, 1, 20), 5000, "first_service")

    plan(session, date(2026, 3, 8))

    session.refresh(car)
    task = session.exec(select(FollowupTask).where(FollowupTask.kind == "maintenance_call")).one()
    # 5,000 km in 50 days is 100 km/day: 5,000 km more by 03-11, well before July.
    assert task.due_date == car.maintenance_due_on == date(2026, 3, 11)
    assert task.details == {"predicted_on": "2026-03-11", "pace_km_day": 100.0, "readings": 2}
    assert "100 km/day over 2 readings" in task.reason


def test_dry_run_shows_tomorrows_work_and_saves_nothing(crm, session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 3, 9))  # callback window opens 03-10 (NOW's day)
    add_customer(session, birthday=date(1990, 3, 11))

    result = crm("plan", "--dry-run", "--format", "json")

    planned = json.loads(result.output)
    assert planned["date"] == "2026-03-11"
    assert planned["created"] == {"birthday_sms": 1, "sales_callback": 1}
    assert count(session, FollowupTask) == count(session, SmsMessage) == 0
    assert "never" in crm("status").output


def test_plan_prints_counts_per_kind_as_json(crm, session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 3, 9))
    add_customer(session, name="李娜", birthday=date(1990, 3, 10), marketing_consent=False)

    first = json.loads(crm("plan", "--format", "json").output)
    again = json.loads(crm("plan", "--format", "json").output)

    assert {k: first[k] for k in ("date", "created")} == {
        "date": "2026-03-10",
        "created": {"sales_callback": 1},
    }
    assert first["skipped"] == {"no_consent": 1}  # 李娜's birthday greeting
    assert again["created"] == {}


def test_status_warns_when_todays_planning_has_not_run(crm, session):
    with freeze_time(NOW - timedelta(days=1)):
        plan(session, date(2026, 3, 9))

    late = crm("status", "--format", "json")
    crm("plan")
    current = crm("status", "--format", "json")

    assert json.loads(late.output)["stores"][0]["warning"].startswith(
        "today's planning has not run"
    )
    assert json.loads(current.output)["stores"][0]["last_planned_day"] == "2026-03-10"
    assert json.loads(current.output)["stores"][0]["warning"] is None


def test_planning_reads_only_cars_whose_dates_fit(session):
    # A car delivered long ago with no visits owes nothing on an ordinary day.
    old = add_customer(session)
    add_vehicle(session, old, date(2020, 7, 7))

    result = plan(session, date(2026, 3, 2))

    assert result.created == {}
    assert session.exec(select(Vehicle.maintenance_predicted_at)).one() is not None


def test_a_new_owner_gets_their_own_first_anniversary(session):
    first = add_customer(session, name="王伟")
    second = add_customer(session, name="李娜")
    car = add_vehicle(session, first, date(2024, 3, 5))
    plan(session, date(2025, 3, 5))  # the first owner's first anniversary
    ownership = session.exec(select(VehicleOwnership)).one()
    ownership.ended_on = date(2025, 3, 6)
    car.owner_id = second.id
    session.add_all(
        [
            ownership,
            car,
            VehicleOwnership(vehicle_id=car.id, customer_id=second.id, started_on=date(2025, 3, 5)),
        ]
    )
    session.commit()

    plan(session, date(2026, 3, 5))

    greetings = session.exec(select(SmsMessage).order_by(SmsMessage.id)).all()
    assert [(g.customer_id, g.cycle) for g in greetings] == [(first.id, "1"), (second.id, "1")]


def test_a_car_imported_late_still_gets_its_first_service_sms_and_call(session):
    plan(session, date(2026, 3, 30))
    wang = add_customer(session)
    add_vehicle(session, wang, date(2025, 12, 30))  # SMS owed 03-30, call window 04-02..04-06

    plan(session, date(2026, 4, 3))

    owed = {(t.kind, t.window_start) for t in session.exec(select(FollowupTask))}
    owed |= {(m.kind, m.planned_for) for m in session.exec(select(SmsMessage))}
    assert owed == {
        ("first_service_sms", date(2026, 3, 30)),
        ("first_service_call", date(2026, 4, 2)),
    }


def test_a_reading_past_the_first_service_km_brings_the_sms_to_the_next_run(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2026, 1, 10))
    plan(session, date(2026, 2, 9))  # the care call's window opens
    care = session.exec(select(FollowupTask).where(FollowupTask.kind == "care_call")).one()
    session.add(
        ContactAttempt(
            task_id=care.id,
            customer_id=wang.id,
            outcome="reached",
            mileage_km=5200,
            attempted_at=morning(date(2026, 2, 9)) + timedelta(hours=4),
        )
    )
    session.commit()

    plan(session, date(2026, 2, 10))

    sms = session.exec(select(SmsMessage).where(SmsMessage.vehicle_id == car.id)).one()
    assert (sms.kind, sms.planned_for) == ("first_service_sms", date(2026, 2, 9))


def test_a_prediction_refreshed_by_a_run_that_failed_is_still_planned(session, monkeypatch):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2025, 1, 1))
    add_visit(session, car, date(2025, 9, 5), 2000, "first_service")
    plan(session, date(2026, 2, 20))
    add_visit(session, car, date(2026, 2, 25), 9000, "repair")  # a fast pace: due at once

    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr("crm.followup.closing.close_settled", crash)
    with pytest.raises(RuntimeError):
        plan(session, date(2026, 2, 26))  # refreshed the prediction, then died
    monkeypatch.undo()
    plan(session, date(2026, 2, 26))

    session.refresh(car)
    task = session.exec(select(FollowupTask).where(FollowupTask.kind == "maintenance_call")).one()
    assert task.due_date == car.maintenance_due_on


def test_a_first_run_plans_what_is_still_owed_and_a_run_right_after_adds_nothing(session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 1, 21))  # care call window 02-20..02-25
    li = add_customer(session, name="李娜")
    add_vehicle(session, li, date(2026, 2, 24))  # sales callback window 02-25..03-03

    first = plan(session, date(2026, 3, 2))  # reaches back to 02-23
    again = plan(session, date(2026, 3, 2))

    assert first.created == {"care_call": 1, "sales_callback": 1}
    assert again.created == {}
    late = {t.kind: t.late for t in session.exec(select(FollowupTask))}
    assert late == {"care_call": True, "sales_callback": True}


def test_a_rerun_right_after_a_first_run_greets_nobody_for_yesterday(session):
    add_customer(session, birthday=date(1980, 3, 1))  # yesterday, before any run
    add_vehicle(session, add_customer(session, name="李娜"), date(2025, 3, 1))

    plan(session, date(2026, 3, 2))
    again = plan(session, date(2026, 3, 2))

    assert again.created == {}
    assert session.exec(select(SmsMessage)).all() == []


def test_a_customer_added_after_the_morning_run_is_greeted_the_next_morning(session):
    plan(session, date(2026, 3, 1))
    plan(session, date(2026, 3, 2))
    newcomer = add_customer(session, birthday=date(1980, 3, 2))  # imported at noon

    plan(session, date(2026, 3, 3))

    (greeting,) = session.exec(select(SmsMessage)).all()
    assert (greeting.customer_id, greeting.planned_for) == (newcomer.id, date(2026, 3, 2))


def test_a_first_run_plans_the_invitation_call_due_on_the_catch_up_date(session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2025, 11, 16))  # SMS owed 02-16, call window 02-19..02-23

    plan(session, date(2026, 3, 2))  # reaches back to 02-23: the call's last day

    (call,) = session.exec(select(FollowupTask)).all()
    assert (call.kind, call.due_date, call.late) == ("first_service_call", date(2026, 2, 23), True)


def test_a_car_imported_late_gets_the_invitation_call_due_on_the_catch_up_date(session):
    plan(session, date(2026, 3, 1))
    wang = add_customer(session)
    add_vehicle(session, wang, date(2025, 11, 16))  # call window 02-19..02-23, imported late

    plan(session, date(2026, 3, 2))

    (call,) = session.exec(select(FollowupTask)).all()
    assert (call.kind, call.due_date) == ("first_service_call", date(2026, 2, 23))


def plan_catching_up(session, day: date, days: int):
    """A go-live run that looks `days` back (followup.catch_up_days)."""
    from crm.config import FollowupSettings

    store = session.exec(select(Store)).first()
    settings = Settings(followup=FollowupSettings(catch_up_days=days))
    return plan_day(session, store, day, settings, morning(day))


def test_a_first_service_sms_owed_weeks_ago_is_skipped_and_counted_not_sent(session):
    # Go-live looking 30 days back: a first-service SMS owed on 02-20 names a past date.
    wang = add_customer(session)
    add_vehicle(session, wang, date(2025, 11, 20))

    result = plan_catching_up(session, date(2026, 3, 10), 30)

    kinds = {m.kind for m in session.exec(select(SmsMessage))}
    assert "first_service_sms" not in kinds
    assert result.skipped["service_sms_stale"] == 1


def test_a_first_service_sms_a_few_days_late_is_still_sent(session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2025, 12, 5))  # SMS owed 2026-03-05, five days ago

    result = plan_catching_up(session, date(2026, 3, 10), 30)

    sms = session.exec(select(SmsMessage).where(SmsMessage.kind == "first_service_sms")).one()
    assert sms.planned_for == date(2026, 3, 5)
    assert result.skipped["service_sms_stale"] == 0


def test_the_cycle_collector_is_paused_while_a_store_is_planned_and_only_then(
    crm, session, monkeypatch
):
    """A first run's short-lived rows are freed by reference counting; the collector,
    which walked them over and over, waits until the store is planned, and a process
    that had it off (a caller's choice) keeps it off."""
    import gc

    import crm.followup.planner as planner

    add_vehicle(session, add_customer(session), date(2026, 11, 20))
    during: list[bool] = []

    def watched(*args, **kwargs):
        during.append(gc.isenabled())
        return plan_day(*args, **kwargs)

    monkeypatch.setattr(planner, "plan_day", watched)
    assert gc.isenabled()
    assert crm("plan").exit_code == 0
    assert during == [False] and gc.isenabled()
    gc.disable()
    try:
        assert crm("plan").exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()

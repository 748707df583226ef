"""流失预警: a car that stopped coming in gets one win-back call per lapse."""

import json
from datetime import date

from sqlmodel import select

from crm.models import FollowupTask, Vehicle
from tests.factories import add_customer, add_vehicle, add_visit
from tests.test_planning import plan


def lapsed_calls(session) -> list[FollowupTask]:
    session.expire_all()
    return list(
        session.exec(
            select(FollowupTask).where(FollowupTask.kind == "lapsed_call").order_by(FollowupTask.id)
        )
    )


def test_a_car_not_in_for_nine_months_gets_one_win_back_call(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2024, 3, 1))
    visit = add_visit(session, car, date(2025, 6, 10), 20_000, "repair")

    plan(session, date(2026, 3, 9))  # the day before the lapse: nothing yet
    assert lapsed_calls(session) == []
    plan(session, date(2026, 3, 10))
    plan(session, date(2026, 3, 11))

    (call,) = lapsed_calls(session)
    assert (call.window_start, call.due_date) == (date(2026, 3, 10), date(2026, 3, 17))
    assert call.cycle == f"after:{visit.id}"
    assert call.details == {"months": 9, "last_visit": "2025-06-10"}


def test_the_win_back_call_closes_when_the_car_comes_in_and_the_next_lapse_owes_another(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2024, 3, 1))
    add_visit(session, car, date(2025, 6, 10), 20_000, "repair")
    plan(session, date(2026, 3, 10))

    back = add_visit(session, car, date(2026, 3, 12), 26_000, "repair")
    plan(session, date(2026, 3, 13))
    (first,) = lapsed_calls(session)
    assert first.status == "done"

    plan(session, date(2026, 12, 12))
    calls = lapsed_calls(session)
    assert [c.cycle for c in calls] == [first.cycle, f"after:{back.id}"]


def test_a_car_never_in_since_delivery_lapses_from_its_delivery(session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2025, 6, 10))

    plan(session, date(2026, 3, 10))

    (call,) = lapsed_calls(session)
    assert (call.cycle, call.details["delivered"]) == ("after:delivery", "2025-06-10")


def test_maintenance_long_overdue_lapses_before_nine_months(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2025, 1, 1))
    add_visit(session, car, date(2025, 10, 1), 10_000)
    car = session.get(Vehicle, car.id)
    plan(session, date(2026, 1, 4))  # the prediction is written
    session.refresh(car)
    due = car.maintenance_due_on
    assert due is not None and due < date(2026, 5, 1)

    start = due.toordinal() + 60
    plan(session, date.fromordinal(start))

    (call,) = lapsed_calls(session)
    assert call.window_start == date.fromordinal(start)
    assert call.details == {"overdue_days": 60, "predicted_on": due.isoformat()}


def test_the_lapsed_list_names_each_lapsed_car_and_its_call(crm, session):
    wang = add_customer(session, name="王伟", phone="+8613800138000")
    car = add_vehicle(session, wang, date(2024, 3, 1), plate="粤A12345")
    add_visit(session, car, date(2025, 6, 8), 20_000, "repair")
    # Lapsed long before go-live: listed, but no call planned for it (see the README).
    zhao = add_customer(session, name="赵六")
    old = add_vehicle(session, zhao, date(2023, 3, 1))
    add_visit(session, old, date(2024, 12, 1), 30_000, "repair")
    gone = add_customer(session, name="李娜", status="deceased")
    add_vehicle(session, gone, date(2024, 3, 1))
    recent = add_customer(session, name="张三")
    add_vehicle(session, recent, date(2026, 1, 1))
    crm("plan")

    rows = json.loads(crm("customers", "lapsed", "--format", "json").output)
    table = crm("customers", "lapsed").output

    assert [(r["customer"], r["last_in"], r["why"]) for r in rows] == [
        ("赵六", "2024-12-01", "away"),
        ("王伟", "2025-06-08", "away"),
    ]
    assert [r["lapsed_call_status"] for r in rows] == [None, "open"]
    assert "138 0013 8000" in table and "粤A12345" in table
    listed = json.loads(crm("calls", "list", "--format", "json").output)
    (say,) = [r["talking_points"] for r in listed if r["kind"] == "lapsed_call"]
    assert say.startswith("已9个月未回店（上次进店2025-06-08），了解原因")


def test_planning_again_reads_lapses_from_what_changed_and_new_days_by_date(session):
    """A same-day run owes win-back calls only for facts written since the last run (a
    visit imported late); the next day's run finds the lapses opening that day by date,
    among cars nobody touched."""
    from datetime import timedelta

    from sqlalchemy import update

    from crm.models import ServiceVisit
    from tests.test_planning import morning

    day = date(2026, 3, 10)
    late, steady = add_customer(session), add_customer(session)
    late_car = add_vehicle(session, late, date(2024, 3, 1))
    add_visit(session, late_car, date(2024, 9, 1), 10_000, "repair")  # lapsed long ago
    steady_car = add_vehicle(session, steady, date(2024, 3, 1))
    add_visit(session, steady_car, date(2025, 6, 11), 20_000, "repair")  # lapses on the 11th
    plan(session, day)
    old = morning(day) - timedelta(days=1)  # every fact so far is older than that run
    session.execute(update(Vehicle).values(updated_at=old, maintenance_predicted_at=old))
    session.execute(update(ServiceVisit).values(updated_at=old))
    session.commit()
    assert lapsed_calls(session) == []  # the old lapse is past owing

    imported = add_visit(session, late_car, date(2025, 6, 10), 22_000, "repair")
    session.execute(
        update(ServiceVisit)
        .where(ServiceVisit.id == imported.id)
        .values(updated_at=morning(day) + timedelta(hours=2))
    )
    session.commit()
    plan(session, day)  # the same day again: the late import is new
    assert [c.cycle for c in lapsed_calls(session)] == [f"after:{imported.id}"]

    plan(session, day + timedelta(days=1))  # a new day: its lapses by date
    calls = lapsed_calls(session)
    assert [(c.customer_id, c.window_start) for c in calls] == [
        (late.id, day),
        (steady.id, day + timedelta(days=1)),
    ]


def test_a_car_sold_elsewhere_lapses_at_the_store_that_serviced_it(session):
    """A group's customer buys at one store and services at another: the servicing
    store calls when the car stops coming in, on a first run and on a same-day rerun
    after its visit is imported late."""
    from datetime import timedelta

    from crm.models import ServiceVisit, Store
    from tests.test_planning import morning

    other = Store(code="gz2", name="广州二店", timezone="Asia/Shanghai")
    session.add(other)
    session.commit()
    day = date(2026, 3, 10)
    first, late = (add_customer(session, store_id=other.id) for _ in range(2))
    first_car = add_vehicle(session, first, date(2024, 3, 1))
    late_car = add_vehicle(session, late, date(2024, 3, 1))
    for car in (first_car, late_car):
        assert car.store_id == other.id  # sold by the other store
    here = session.exec(select(Store).where(Store.code != "gz2")).first().id
    served = add_visit(session, first_car, date(2025, 6, 10), 20_000, "repair")
    served.store_id = here
    session.commit()

    plan(session, day)
    assert [c.cycle for c in lapsed_calls(session)] == [f"after:{served.id}"]

    imported = add_visit(session, late_car, date(2025, 6, 9), 21_000, "repair")
    imported.store_id = here
    imported.updated_at = morning(day) + timedelta(hours=2)
    session.commit()
    assert session.get(ServiceVisit, imported.id).store_id == here
    plan(session, day)  # the same day again: the late import is new
    calls = lapsed_calls(session)
    assert [(c.store_id, c.cycle) for c in calls] == [
        (here, f"after:{served.id}"),
        (here, f"after:{imported.id}"),
    ]

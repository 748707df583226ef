"""An incremental run plans exactly what a full run plans, over days of changing facts.

Two databases receive the same facts day by day: late imports, visits, mileage
reported on calls, customers lost, birthdays and holidays, a day the service was down.
One is planned as every run after the first is (reading only what changed since the
last run, closing only what those changes settle); the other reads every fact by its
dates and re-checks every open task, as a first run does. Every task and every message
must be the same, column by column.
"""

import random
import shutil
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from crm import db
from crm.config import Settings
from crm.followup.planner import plan_day
from crm.models import (
    ContactAttempt,
    Customer,
    FollowupTask,
    ServiceVisit,
    SmsMessage,
    Store,
    Vehicle,
    VehicleOwnership,
)
from crm.stores import ensure_store
from crm.vocabulary.predictions import mark_stale
from tests.conftest import drop_postgres_schema, fresh_postgres_schema

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Mid-Autumn (09-25) and National Day (10-01) fall in these days; 09-29 is skipped.
DAYS = [date(2026, 9, 22) + timedelta(days=n) for n in range(14) if n != 7]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


@pytest.fixture
def twin_url(database_url, tmp_path, sqlite_template):
    """A second, empty database of the same kind as `database_url`."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "twin.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    schema, url = fresh_postgres_schema()
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session(engine) as session:
        ensure_store(session, Settings().store)
    engine.dispose()
    yield url
    drop_postgres_schema(schema)


class Facts:
    """Writes the same facts into one database, with explicit codes so twins match."""

    def __init__(self, session, seed: int):
        self.session, self.random, self.n = session, random.Random(seed), 0

    def customer(self, **fields) -> Customer:
        self.n += 1
        customer = Customer(
            store_id=1,
            customer_code=f"C{self.n:05d}",
            name="王伟" if self.n % 2 else "李娜",
            phone=f"+86139{self.n:08d}",
            gender="male" if self.n % 2 else "female",
            sms_consent=self.n % 7 != 0,
            marketing_consent=self.n % 3 != 0,
            **fields,
        )
        self.session.add(customer)
        self.session.flush()
        return customer

    def car(self, owner: Customer, delivered: date) -> Vehicle:
        self.n += 1
        car = Vehicle(
            store_id=1,
            vin=f"LFV{self.n:014d}",
            model="朗逸",
            plate=f"粤A{self.n:05d}",
            delivery_date=delivered,
            owner_id=owner.id,
        )
        self.session.add(car)
        self.session.flush()
        self.session.add(
            VehicleOwnership(vehicle_id=car.id, customer_id=owner.id, started_on=delivered)
        )
        return car

    def visit(self, car_id: int, day: date, km: int, service_type: str) -> None:
        self.n += 1
        owner = self.session.get(Vehicle, car_id).owner_id
        self.session.add(
            ServiceVisit(
                store_id=1,
                ro_number=f"RO{self.n:06d}",
                vehicle_id=car_id,
                customer_id=owner,
                visit_date=day,
                odometer_km=km,
                service_type=service_type,
            )
        )
        mark_stale(self.session, [car_id])

    def history(self, today: date) -> None:
        """A store with a year and a half of deliveries, services and birthdays."""
        for _ in range(60):
            birthday = today - timedelta(days=365 * 30 + self.random.randint(-20, 20))
            owner = self.customer(birthday=birthday)
            delivered = today - timedelta(days=self.random.randint(1, 540))
            car = self.car(owner, delivered)
            if (today - delivered).days > 100 and self.random.random() < 0.6:
                first = delivered + timedelta(days=self.random.randint(80, 100))
                self.visit(car.id, first, self.random.randint(4000, 6000), "first_service")
                if (today - first).days > 150:
                    again = first + timedelta(days=self.random.randint(120, 170))
                    self.visit(car.id, again, self.random.randint(9000, 12000), "maintenance")
        self.session.commit()

    def a_day_of_changes(self, day: date) -> None:
        """What the desk and the DMS write between two mornings."""
        pick = self.random
        cars = self.session.execute(select(Vehicle.id).order_by(Vehicle.id)).scalars().all()
        customers = self.session.execute(select(Customer.id).order_by(Customer.id)).scalars().all()
        for _ in range(pick.randint(0, 3)):  # new buyers, some imported days late
            owner = self.customer(birthday=day - timedelta(days=365 * 40 + pick.randint(-2, 2)))
            self.car(owner, day - timedelta(days=pick.choice([1, 2, 5, 9, 30, 33, 95, 100])))
        for _ in range(pick.randint(0, 3)):  # visits, some entered late
            kind = pick.choice(["first_service", "maintenance", "repair"])
            seen = day - timedelta(days=pick.randint(1, 6))
            self.visit(pick.choice(cars), seen, pick.randint(3000, 30000), kind)
        if pick.random() < 0.4:  # a customer lost to a competitor
            self.session.execute(
                update(Customer)
                .where(Customer.id == pick.choice(customers))
                .values(status="lost", updated_at=at(day - timedelta(days=1), 15))
            )
        due_for_maintenance = (
            self.session.execute(
                select(FollowupTask.vehicle_id)
                .where(FollowupTask.status == "open", FollowupTask.kind == "maintenance_call")
                .order_by(FollowupTask.subject)
            )
            .scalars()
            .all()
        )
        if due_for_maintenance and pick.random() < 0.5:  # a reminded car comes in
            seen = day - timedelta(days=pick.randint(1, 3))
            self.visit(pick.choice(due_for_maintenance), seen, 40000, "maintenance")
        open_calls = self.session.execute(
            select(FollowupTask.id, FollowupTask.customer_id, FollowupTask.vehicle_id)
            .where(FollowupTask.status == "open", FollowupTask.vehicle_id.is_not(None))
            .order_by(FollowupTask.kind, FollowupTask.subject, FollowupTask.cycle)
        ).all()
        if open_calls and pick.random() < 0.6:  # mileage reported on a call
            task_id, customer_id, car_id = pick.choice(open_calls)
            self.session.add(
                ContactAttempt(
                    task_id=task_id,
                    customer_id=customer_id,
                    outcome="reached",
                    mileage_km=pick.randint(2000, 9000),
                    attempted_at=at(day - timedelta(days=1), 16),
                )
            )
            mark_stale(self.session, [car_id])
        self.session.commit()


def rows(session, model) -> list[tuple]:
    """Every row of `model` but its id, in key order."""
    columns = [c for c in model.__table__.columns if c.name != "id"]
    return session.execute(select(*columns).order_by(model.kind, model.subject, model.cycle)).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_runs_plan_what_full_runs_plan(database_url, twin_url, seed):
    engines = [db.make_engine(database_url), db.make_engine(twin_url)]
    sessions = [db.session(engine) for engine in engines]
    facts = [Facts(session, seed) for session in sessions]
    settings = Settings()
    try:
        with freeze_time(at(DAYS[0] - timedelta(days=1), 12)):
            for writer in facts:
                writer.history(DAYS[0])
        for day in DAYS:
            with freeze_time(at(day - timedelta(days=1), 14)):
                for writer in facts:
                    writer.a_day_of_changes(day)
            for session, incremental in zip(sessions, (True, False), strict=True):
                store = session.execute(select(Store)).scalar_one()
                with freeze_time(at(day, 6, 30)):
                    plan_day(session, store, day, settings, at(day, 6, 30), incremental=incremental)
            for model in (FollowupTask, SmsMessage):
                assert rows(sessions[0], model) == rows(sessions[1], model), (day, model)
        assert rows(sessions[0], FollowupTask)  # the days did plan something
    finally:
        for session, engine in zip(sessions, engines, strict=True):
            session.close()
            engine.dispose()

"""Who can be owed a contact in the days being planned: one narrow, indexed query per rule.

Each query turns the rule's timing around (a callback due delivery+7 can fall in the
horizon only for cars delivered in a matching range of days), so only the rows that may
be due reach Python, where the pure rules in `crm.followup.rules` decide.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, exists, select
from sqlmodel import Session

from crm.config import Settings
from crm.followup import rules
from crm.followup.calendars import lunar_births_celebrating, solar_births_celebrating
from crm.followup.maintenance import SERVICE_TYPES, reported_mileage
from crm.models import BirthdayCalendar, Customer, ServiceVisit, Vehicle, VehicleOwnership


@dataclass(frozen=True)
class Horizon:
    """The days one planning run covers.

    Phone tasks and reminders are planned when their window overlaps [start, day];
    greetings on the days [since, day]. `since` is the day after the last run;
    `start` reaches `catch_up_days` further back for data that arrived late.
    """

    store_id: int
    day: date
    since: date
    start: date

    def overlaps(self, occurrence: rules.Occurrence) -> bool:
        return occurrence.window_start <= self.day and occurrence.due_date >= self.start

    def greeting_days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.day - self.since).days + 1)]


def deliveries(
    session: Session, horizon: Horizon, settings: Settings
) -> Iterator[rules.Occurrence]:
    """Sales callbacks and care calls for cars delivered in the matching days."""
    cadence = settings.followup
    for rule, window in (
        (rules.sales_callback, cadence.sales_callback),
        (rules.care_call, cadence.care_call),
    ):
        low = horizon.start - timedelta(days=window.due_after_days)
        high = horizon.day - timedelta(days=window.open_after_days)
        for car in _deliveries_between(session, horizon.store_id, low, high):
            yield rule(car, cadence)


def _deliveries_between(session, store_id: int, low: date, high: date) -> list[rules.Delivery]:
    rows = session.execute(
        select(Vehicle.id, Vehicle.owner_id, Vehicle.delivery_date).where(
            Vehicle.store_id == store_id, Vehicle.delivery_date.between(low, high)
        )
    ).all()
    return [rules.Delivery(*row) for row in rows]


def first_service(
    session: Session, horizon: Horizon, settings: Settings, zone: ZoneInfo
) -> Iterator[rules.Occurrence]:
    """The first-service SMS and call, for cars that have not been in yet."""
    cadence = settings.followup
    # The SMS falls at the latest N months after delivery (sooner with mileage); the
    # call's window closes `due_after_days` after the SMS.
    oldest = (
        horizon.start
        - timedelta(days=cadence.first_service_call.due_after_days)
        - relativedelta(months=cadence.first_service_sms_after_months)
    )
    serviced = exists().where(
        ServiceVisit.vehicle_id == Vehicle.id, ServiceVisit.service_type.in_(SERVICE_TYPES)
    )
    cars = [
        rules.Delivery(*row)
        for row in session.execute(
            select(Vehicle.id, Vehicle.owner_id, Vehicle.delivery_date).where(
                Vehicle.store_id == horizon.store_id,
                Vehicle.delivery_date.between(oldest, horizon.day),
                ~serviced,
            )
        )
    ]
    for start in range(0, len(cars), 5000):
        chunk = cars[start : start + 5000]
        readings = reported_mileage(session, [car.vehicle_id for car in chunk], zone)
        for car in chunk:
            yield rules.first_service_sms(car, readings[car.vehicle_id], cadence)
            yield rules.first_service_call(car, readings[car.vehicle_id], cadence)


def service_visits(
    session: Session, horizon: Horizon, settings: Settings
) -> Iterator[rules.Occurrence]:
    """A callback after each visit in the matching days, to the car's current owner."""
    window = settings.followup.service_callback
    rows = session.execute(
        select(
            ServiceVisit.id,
            ServiceVisit.vehicle_id,
            Vehicle.owner_id,
            ServiceVisit.visit_date,
            ServiceVisit.ro_number,
            ServiceVisit.service_type,
        )
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .where(
            ServiceVisit.store_id == horizon.store_id,
            ServiceVisit.visit_date.between(
                horizon.start - timedelta(days=window.due_after_days),
                horizon.day - timedelta(days=window.open_after_days),
            ),
        )
    ).all()
    for row in rows:
        yield rules.service_callback(rules.Visit(*row), settings.followup)


def maintenance(
    session: Session, horizon: Horizon, settings: Settings
) -> Iterator[rules.Occurrence]:
    """Maintenance calls for cars whose predicted date falls in the matching days."""
    before = timedelta(days=settings.followup.maintenance_call_days_before)
    rows = session.execute(
        select(
            Vehicle.id,
            Vehicle.owner_id,
            Vehicle.maintenance_due_on,
            Vehicle.maintenance_pace_km_day,
            Vehicle.maintenance_readings,
            Vehicle.maintenance_basis_visit_id,
        ).where(
            Vehicle.store_id == horizon.store_id,
            Vehicle.maintenance_due_on.between(horizon.start, horizon.day + before),
        )
    ).all()
    for vehicle_id, owner_id, due_on, pace, readings, basis in rows:
        yield rules.maintenance_call(
            vehicle_id, owner_id, due_on, pace, readings, basis, settings.followup
        )


def birthdays(session: Session, horizon: Horizon) -> Iterator[rules.Occurrence]:
    """Birthday greetings on each greeting day: solar, or lunar by the customer's calendar."""
    for day in horizon.greeting_days():
        for calendar, births in (
            (BirthdayCalendar.SOLAR, solar_births_celebrating(day)),
            (BirthdayCalendar.LUNAR, lunar_births_celebrating(day)),
        ):
            if not births:
                continue
            rows = session.execute(
                select(Customer.id, Customer.birthday).where(
                    Customer.store_id == horizon.store_id,
                    Customer.birthday.in_(births),
                    Customer.birthday_calendar == calendar,
                )
            ).all()
            for customer_id, birth in rows:
                yield rules.birthday_sms(
                    customer_id, birth, calendar == BirthdayCalendar.LUNAR, day
                )


def anniversaries(session: Session, horizon: Horizon) -> Iterator[rules.Occurrence]:
    """Purchase anniversaries of each car's current owner on each greeting day."""
    for day in horizon.greeting_days():
        started = [d for d in solar_births_celebrating(day) if d.year < day.year]
        rows = session.execute(
            select(
                VehicleOwnership.vehicle_id,
                VehicleOwnership.customer_id,
                VehicleOwnership.started_on,
            )
            .join(
                Vehicle,
                and_(
                    Vehicle.id == VehicleOwnership.vehicle_id,
                    Vehicle.owner_id == VehicleOwnership.customer_id,
                ),
            )
            .where(
                Vehicle.store_id == horizon.store_id,
                VehicleOwnership.started_on.in_(started),
                VehicleOwnership.ended_on.is_(None),
            )
        ).all()
        for vehicle_id, customer_id, started_on in rows:
            occurrence = rules.anniversary_sms(vehicle_id, customer_id, started_on, day)
            if occurrence:
                yield occurrence

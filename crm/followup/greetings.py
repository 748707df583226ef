"""Greetings owed in the days being planned: birthdays (solar or lunar) and purchase
anniversaries, each day's from the dates that celebrate on it, and the late ones (days an
earlier run greeted) from the rows written since: after a first run, the few found by
their change time's index.
Holidays greet every customer and are the planner's own (`planner._holidays`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlmodel import Session

from crm.db import read
from crm.followup import changes, rules
from crm.followup.candidates import Horizon
from crm.models import BirthdayCalendar, Customer, Vehicle, VehicleOwnership
from crm.vocabulary.calendars import lunar_births_celebrating, solar_births_celebrating


def birthdays(session: Session, h: Horizon) -> Iterator[rules.Occurrence]:
    """Birthday greetings: solar, or lunar by the customer's calendar."""
    late = []
    for day, changed_after in _greeting_days(h):
        if _by_change_time(h, changed_after):
            late.append(day)  # the late days come last
            continue
        for calendar, births in (
            (BirthdayCalendar.SOLAR, solar_births_celebrating(day)),
            (BirthdayCalendar.LUNAR, lunar_births_celebrating(day)),
        ):
            if not births:
                continue
            query = select(Customer.id, Customer.birthday).where(
                Customer.store_id == h.store_id, Customer.birthday_calendar == calendar
            )
            if changed_after is not None:
                query = query.where(Customer.updated_at > changed_after)
            query = query.where(Customer.birthday.in_(births))
            for customer_id, birth in read(session, query).all():
                yield rules.birthday_sms(
                    customer_id, birth, calendar == BirthdayCalendar.LUNAR, day
                )
    if late:
        yield from _late_birthdays(session, h, late)


def _late_birthdays(session: Session, h: Horizon, days: list[date]) -> Iterator[rules.Occurrence]:
    """Birthdays on days an earlier run greeted, of customers written since it began: the
    few rows read once by that time's index, and no calendar consulted when nobody is new
    (a lunar one costs more than the rest of a run that finds nothing)."""
    written = read(
        session,
        select(Customer.id, Customer.birthday, Customer.birthday_calendar).where(
            Customer.store_id == h.store_id,
            Customer.updated_at > h.changed_after,
            Customer.birthday.is_not(None),
        ),
    ).all()
    for day in days if written else []:
        for calendar, births in (
            (BirthdayCalendar.SOLAR, solar_births_celebrating(day)),
            (BirthdayCalendar.LUNAR, lunar_births_celebrating(day)),
        ):
            wanted, lunar = set(births), calendar == BirthdayCalendar.LUNAR
            for customer_id, birth, kept_by in written:
                if kept_by == calendar and birth in wanted:
                    yield rules.birthday_sms(customer_id, birth, lunar, day)


def anniversaries(session: Session, h: Horizon) -> Iterator[rules.Occurrence]:
    """Purchase anniversaries of each car's current owner."""
    for day, changed_after in _greeting_days(h):
        started = [d for d in solar_births_celebrating(day) if d.year < day.year]
        if _by_change_time(h, changed_after):
            yield from _recorded_anniversaries(session, h, day, set(started))
            continue
        query = (
            select(
                VehicleOwnership.id,
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
            .where(Vehicle.store_id == h.store_id, VehicleOwnership.ended_on.is_(None))
        )
        if changed_after is not None:
            query = query.where(VehicleOwnership.recorded_at > changed_after)
        query = query.where(VehicleOwnership.started_on.in_(started))
        for ownership_id, vehicle_id, customer_id, started_on in read(session, query).all():
            occurrence = rules.anniversary_sms(
                ownership_id, vehicle_id, customer_id, started_on, day
            )
            if occurrence:
                yield occurrence


def _recorded_anniversaries(
    session: Session, h: Horizon, day: date, started: set[date]
) -> Iterator[rules.Occurrence]:
    """Anniversaries on `day` of ownerships recorded since the last run began.

    The ownerships are read by the index on their time, then their cars by id: a join
    led by the store's cars would read every car of the store.
    """
    owned = [
        row
        for row in read(
            session,
            select(
                VehicleOwnership.id,
                VehicleOwnership.vehicle_id,
                VehicleOwnership.customer_id,
                VehicleOwnership.started_on,
            ).where(
                VehicleOwnership.recorded_at > h.changed_after, VehicleOwnership.ended_on.is_(None)
            ),
        )
        if row[3] in started
    ]
    current: set[tuple[int, int]] = set()
    for chunk in changes.chunks({row[1] for row in owned}):
        current.update(
            (vehicle_id, owner_id)
            for vehicle_id, owner_id in read(
                session,
                select(Vehicle.id, Vehicle.owner_id).where(
                    Vehicle.id.in_(chunk), Vehicle.store_id == h.store_id
                ),
            )
        )
    for ownership_id, vehicle_id, customer_id, started_on in owned:
        if (vehicle_id, customer_id) in current:
            occurrence = rules.anniversary_sms(
                ownership_id, vehicle_id, customer_id, started_on, day
            )
            if occurrence:
                yield occurrence


def _by_change_time(h: Horizon, changed_after: datetime | None) -> bool:
    """Late greetings read the few rows changed since by that time; the days' own, by date."""
    return changed_after is not None and h.reads_changes


def _greeting_days(h: Horizon) -> list[tuple[date, datetime | None]]:
    """The days to greet for everyone, then yesterday and today for facts that are new."""
    return [(day, None) for day in h.greeting_days()] + [
        (day, h.changed_after) for day in h.late_greeting_days()
    ]

"""Who can be owed a contact in the days being planned: narrow, indexed queries per rule.

Each run plans two things, so that no day is planned twice and no late fact is lost:
- the days it has not planned yet: contacts whose window opens in [since, day], found
  by turning each rule's timing around (a callback opening delivery+1 opens in those
  days only for cars delivered a day earlier);
- facts written since the previous run began (a late import, a reading from a call,
  a fresh maintenance prediction): their contacts if still owed in the last
  `catch_up_days`.
Only those rows reach Python, where the pure rules in `crm.followup.rules` decide.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlmodel import Session

from crm.config import Settings
from crm.db import one_of, read
from crm.followup import changes, rules
from crm.followup.maintenance import SERVICE_TYPES, reported_mileage
from crm.models import ServiceVisit, Vehicle
from crm.vocabulary.calendars import add_months


@dataclass(frozen=True)
class Horizon:
    """What one planning run covers (see the module docstring)."""

    store_id: int
    day: date
    since: date  # first day whose opening windows this run plans
    greet_since: date  # first day whose greetings this run plans
    late_start: date  # new facts still owe contacts whose window reaches this day
    changed_after: datetime  # facts written after this are new (all of them on a first run)
    greet_floor: date  # the first day any run greeted: nothing before it is owed late
    # Read new facts through their change times' indexes (False: by their dates, as a
    # first run must; the tests plan both ways and compare).
    by_change_time: bool = True

    @property
    def plans_days(self) -> bool:
        """Whether windows opening in [since, day] need a query of their own.

        Not when the day was planned already, nor on a first run: every fact is new
        then, and the late query (owed since `late_start`) covers those windows too.
        """
        return self.since <= self.day and not changes.everything_new(self.changed_after)

    @property
    def reads_changes(self) -> bool:
        """Whether new facts are few enough to read by change time (not a first run)."""
        return self.by_change_time and not changes.everything_new(self.changed_after)

    def opens(self, occurrence: rules.Occurrence) -> bool:
        return self.opens_on(occurrence.window_start)

    def opens_on(self, window_start: date) -> bool:
        return self.since <= window_start <= self.day

    def still_owed(self, occurrence: rules.Occurrence) -> bool:
        return self.owes(occurrence.window_start, occurrence.due_date)

    def owes(self, window_start: date, due_date: date) -> bool:
        return window_start <= self.day and due_date >= self.late_start

    def late_greeting_days(self) -> list[date]:
        """Yesterday and today, where an earlier run greeted them: for facts new since."""
        return [
            day
            for day in (self.day - timedelta(days=1), self.day)
            if self.greet_floor <= day < self.greet_since
        ]

    def greeting_days(self) -> list[date]:
        count = (self.day - self.greet_since).days + 1
        return [self.greet_since + timedelta(days=n) for n in range(max(count, 0))]


def deliveries(session: Session, h: Horizon, settings: Settings) -> Iterator[rules.Occurrence]:
    """Sales callbacks and care calls."""
    cadence = settings.followup
    for rule, window in (
        (rules.sales_callback, cadence.sales_callback),
        (rules.care_call, cadence.care_call),
    ):
        opening = timedelta(days=window.open_after_days)
        closing = timedelta(days=window.due_after_days)
        planned = (
            _cars(session, h.store_id, h.since - opening, h.day - opening) if h.plans_days else []
        )
        for car in planned:
            yield rule(car, cadence)
        seen = {car.vehicle_id for car in planned}
        for car in _changed_cars(session, h, h.late_start - closing, h.day - opening):
            occurrence = rule(car, cadence)
            if car.vehicle_id not in seen and h.still_owed(occurrence):
                yield occurrence


CAR = (Vehicle.id, Vehicle.owner_id, Vehicle.delivery_date)


def _cars(session, store_id: int, low: date, high: date, *, where=()):
    query = select(*CAR).where(
        Vehicle.store_id == store_id, Vehicle.delivery_date.between(low, high), *where
    )
    return [rules.Delivery(*row) for row in read(session, query).all()]


def _changed_cars(session, h: Horizon, low: date, high: date, where=()) -> list[rules.Delivery]:
    """Cars delivered in [low, high] whose rows were written since the last run began."""
    if not h.reads_changes:
        changed = (*where, Vehicle.updated_at > h.changed_after)
        return _cars(session, h.store_id, low, high, where=changed)
    query = select(*CAR).where(
        Vehicle.store_id == h.store_id, Vehicle.updated_at > h.changed_after, *where
    )
    return [rules.Delivery(*row) for row in read(session, query) if low <= row[2] <= high]


def _cars_by_id(session, ids: list[int], low: date, high: date, where=()) -> list[rules.Delivery]:
    """The cars among `ids` delivered in [low, high], looked up by id."""
    found = []
    for chunk in changes.chunks(ids):
        rows = read(session, select(*CAR).where(one_of(session, Vehicle.id, chunk), *where))
        found += [rules.Delivery(*row) for row in rows if low <= row[2] <= high]
    return found


def first_service(
    session: Session, h: Horizon, settings: Settings, zone: ZoneInfo
) -> Iterator[rules.Occurrence]:
    """The first-service SMS and invitation call, for cars that have not been in yet."""
    cadence = settings.followup
    months = cadence.first_service_sms_after_months
    call = timedelta(days=cadence.first_service_call.open_after_days)
    slack = timedelta(days=3)  # month ends clamp several delivery days onto one date
    not_in = ~exists().where(
        ServiceVisit.vehicle_id == Vehicle.id, ServiceVisit.service_type.in_(SERVICE_TYPES)
    )
    recent = add_months(h.day, -months) - slack - call
    planned: dict[int, rules.Delivery] = {}
    if h.plans_days:
        # Mileage reported on a call may have brought the SMS forward: those cars too.
        reporting = changes.reported_cars(session, h.store_id, recent)
        planned = {
            car.vehicle_id: car
            for car in _cars(
                session,
                h.store_id,
                add_months(h.since - call, -months) - slack,
                add_months(h.day, -months) + slack,
                where=(not_in,),
            )
            + _cars_by_id(session, reporting, recent, h.day, where=(not_in,))
        }
    fresh: set[int] = set()
    # A late fact still owes the call whose window closes on `late_start`: its SMS came
    # `due_after_days` before, so reach back that far (the window's opening is too short).
    last_call = timedelta(days=cadence.first_service_call.due_after_days)
    low = add_months(h.late_start - last_call, -months) - slack
    reported_lately = changes.reported_cars(session, h.store_id, recent, after=h.changed_after)
    for car in _cars_by_id(session, reported_lately, low, h.day, where=(not_in,)) + _changed_cars(
        session, h, low, h.day, where=(not_in,)
    ):
        planned.setdefault(car.vehicle_id, car)
        fresh.add(car.vehicle_id)
    cars = list(planned.values())
    for start in range(0, len(cars), 5000):
        chunk = cars[start : start + 5000]
        readings = reported_mileage(session, [car.vehicle_id for car in chunk], zone)
        for car in chunk:
            found = rules.first_service_date(car.delivery_date, readings[car.vehicle_id], cadence)
            sms_day = found[0]
            for rule, (opens, due) in (
                (rules.first_service_sms, (sms_day, sms_day)),
                (rules.first_service_call, rules.first_service_call_window(sms_day, cadence)),
            ):
                # New facts (a late import, a reading that brought the SMS forward) may
                # owe contacts whose day this run's window has already passed. Only
                # what is owed is built (most cars' windows are months away).
                if h.opens_on(opens) or (car.vehicle_id in fresh and h.owes(opens, due)):
                    yield rule(car, readings[car.vehicle_id], cadence, found)


def service_visits(session: Session, h: Horizon, settings: Settings) -> Iterator[rules.Occurrence]:
    """A callback after each visit, to the car's current owner."""
    window = settings.followup.service_callback
    opening = timedelta(days=window.open_after_days)
    planned = _visits(session, h, h.since - opening, h.day - opening) if h.plans_days else []
    for visit in planned:
        yield rules.service_callback(visit, settings.followup)
    seen = {visit.visit_id for visit in planned}
    low = h.late_start - timedelta(days=window.due_after_days)
    for visit in _visits(session, h, low, h.day - opening, changed=True):
        occurrence = rules.service_callback(visit, settings.followup)
        if visit.visit_id not in seen and h.still_owed(occurrence):
            yield occurrence


def _visits(session, h: Horizon, low: date, high: date, changed: bool = False):
    """Visits in [low, high]; with `changed`, only those written since the last run began."""
    query = (
        select(
            ServiceVisit.id,
            ServiceVisit.vehicle_id,
            Vehicle.owner_id,
            ServiceVisit.visit_date,
            ServiceVisit.ro_number,
            ServiceVisit.service_type,
        )
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .where(ServiceVisit.store_id == h.store_id)
    )
    if changed and h.reads_changes:
        query = query.where(ServiceVisit.updated_at > h.changed_after)
        return [rules.Visit(*row) for row in read(session, query) if low <= row[3] <= high]
    query = query.where(ServiceVisit.visit_date.between(low, high))
    if changed:
        query = query.where(ServiceVisit.updated_at > h.changed_after)
    return [rules.Visit(*row) for row in read(session, query).all()]


def maintenance(session: Session, h: Horizon, settings: Settings) -> Iterator[rules.Occurrence]:
    """Maintenance calls: windows opening now, and predictions this run refreshed."""
    before = timedelta(days=settings.followup.maintenance_call_days_before)
    columns = (
        Vehicle.id,
        Vehicle.owner_id,
        Vehicle.maintenance_due_on,
        Vehicle.maintenance_pace_km_day,
        Vehicle.maintenance_readings,
        Vehicle.maintenance_basis_visit_id,
    )
    planned = []
    if h.plans_days:
        planned = read(
            session,
            select(*columns).where(
                Vehicle.store_id == h.store_id,
                Vehicle.maintenance_due_on.between(h.since + before, h.day + before),
            ),
        ).all()
    # Predictions written since the last run began (this run's refresh, or one a
    # crashed run committed) are new facts.
    seen = {row[0] for row in planned}
    low, high = h.late_start, h.day + before
    query = select(*columns).where(
        Vehicle.store_id == h.store_id, Vehicle.maintenance_predicted_at > h.changed_after
    )
    if not h.reads_changes:
        query = query.where(Vehicle.maintenance_due_on.between(low, high))
    refreshed = [
        row
        for row in read(session, query).all()
        if row[0] not in seen and row[2] is not None and low <= row[2] <= high
    ]
    for rows, owed in ((planned, h.opens), (refreshed, h.still_owed)):
        for vehicle_id, owner_id, due_on, pace, readings, basis in rows:
            occurrence = rules.maintenance_call(
                vehicle_id, owner_id, due_on, pace, readings, basis, settings.followup
            )
            if owed(occurrence):
                yield occurrence

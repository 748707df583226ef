"""流失预警: cars that stopped coming in, found by date through their indexes.

A car lapses `lapsed_after_months` after it was last in (its last visit, or its
delivery), or `lapsed_overdue_days` after its predicted maintenance when that comes
first. Each lapse owes one win-back call (`lapsed_call`), keyed by the visit it follows,
so the next lapse (after the next visit) owes another.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from crm.config import Settings
from crm.db import one_of, read
from crm.followup import changes, rules
from crm.models import Customer, CustomerStatus, FollowupTask, ServiceVisit, Vehicle
from crm.vocabulary.calendars import add_months
from crm.vocabulary.kinds import Kind

SLACK = timedelta(days=3)  # month ends: add_months is not exactly invertible


def candidates(session: Session, h, settings: Settings) -> Iterator[rules.Occurrence]:
    """Win-back calls whose window is still owed in this run (see `Horizon.still_owed`).

    As the other rules: lapses opening on the days this run adds, found by their dates;
    then, over every day still owed, only the cars whose facts were written since the
    last run began (a visit, the car, its prediction), so planning again costs what
    changed. A first run reads everything, all of it new.
    """
    cadence = settings.followup
    low = h.late_start - timedelta(days=cadence.lapsed_call_days)
    found = _lapsing(session, h, h.since, h.day, cadence) if h.plans_days else {}
    # A first run finds everything new; the twin that plans by dates (tests) reads all.
    everything = changes.everything_new(h.changed_after) or not h.by_change_time
    written = None if everything else h.changed_after
    found |= _lapsing(session, h, low, h.day, cadence, changed_after=written)
    for vehicle_id, owner_id, delivered, due_on, last_visit in found.values():
        occurrence = rules.lapsed_call(vehicle_id, owner_id, last_visit, delivered, due_on, cadence)
        if h.still_owed(occurrence):
            yield occurrence


def _lapsing(session: Session, h, low: date, high: date, cadence, changed_after=None) -> dict:
    """Cars whose lapse may open in [low, high], by id: (car..., its last visit or None).

    With `changed_after`, only cars with a fact written after it, read through the change
    times' indexes (the dates then checked here) when the run reads changes.
    """
    months = cadence.lapsed_after_months
    first, last = add_months(low, -months) - SLACK, add_months(high, -months) + SLACK
    overdue = timedelta(days=cadence.lapsed_overdue_days)
    later = aliased(ServiceVisit)
    newer = exists().where(
        later.vehicle_id == ServiceVisit.vehicle_id,
        or_(
            later.visit_date > ServiceVisit.visit_date,
            and_(later.visit_date == ServiceVisit.visit_date, later.id > ServiceVisit.id),
        ),
    )
    cars = (Vehicle.id, Vehicle.owner_id, Vehicle.delivery_date, Vehicle.maintenance_due_on)
    by_visit = (
        select(*cars, ServiceVisit.id, ServiceVisit.visit_date)
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .where(ServiceVisit.store_id == h.store_id, ~newer)
    )
    never_in = select(*cars).where(
        Vehicle.store_id == h.store_id, ~exists().where(ServiceVisit.vehicle_id == Vehicle.id)
    )
    late = select(*cars).where(Vehicle.store_id == h.store_id)
    if changed_after is None:
        queries = ([by_visit], [never_in], [late])
    else:
        written = Vehicle.updated_at > changed_after
        # A car's own row matters only for its predicted date, which (as `late` below)
        # counts for the store's own cars; the store's condition keeps SQLite on the index.
        own_written = (Vehicle.store_id == h.store_id, written)
        queries = (
            [by_visit.where(ServiceVisit.updated_at > changed_after), by_visit.where(*own_written)],
            [never_in.where(written)],
            [late.where(written), late.where(Vehicle.maintenance_predicted_at > changed_after)],
        )
    visit_day, delivered, due_on = (
        ServiceVisit.visit_date.between(first, last),
        Vehicle.delivery_date.between(first, last),
        Vehicle.maintenance_due_on.between(low - overdue, high - overdue),
    )
    if changed_after is None or not h.reads_changes:  # by date, through the dates' indexes
        queries = tuple(
            [query.where(dated) for query in group]
            for group, dated in zip(queries, (visit_day, delivered, due_on), strict=True)
        )
    found: dict[int, tuple] = {}
    for query in queries[0]:
        for *car, visit_id, day in read(session, query).all():
            if first <= day <= last:
                found[car[0]] = (*car, (visit_id, day))
    for query in queries[1]:
        for car in read(session, query).all():
            if first <= car[2] <= last:
                found[car[0]] = (*car, None)
    fresh = {
        car[0]: car
        for query in queries[2]
        for car in read(session, query).all()
        if car[3] is not None and low - overdue <= car[3] <= high - overdue
    }
    fresh = [car for vehicle_id, car in fresh.items() if vehicle_id not in found]
    for car, last_visit in zip(fresh, _last_visits(session, [c[0] for c in fresh]), strict=True):
        found[car[0]] = (*car, last_visit)
    return found


def _last_visits(session: Session, vehicle_ids: list[int]) -> list[tuple[int, date] | None]:
    """Each car's last visit (id, date), in the order given; None for a car never in."""
    if not vehicle_ids:
        return []
    rows = read(
        session,
        select(ServiceVisit.vehicle_id, ServiceVisit.id, ServiceVisit.visit_date)
        .where(one_of(session, ServiceVisit.vehicle_id, vehicle_ids))
        .order_by(ServiceVisit.vehicle_id, ServiceVisit.visit_date, ServiceVisit.id),
    ).all()
    last = {vehicle_id: (visit_id, day) for vehicle_id, visit_id, day in rows}
    return [last.get(vehicle_id) for vehicle_id in vehicle_ids]


def lapsed_cars(
    session: Session, store_id: int, today: date, settings: Settings, limit: int | None = None
) -> list[dict]:
    """Every car of the store lapsed by `today` whose owner is still a customer, longest first."""
    cadence = settings.followup
    last_in = (
        select(ServiceVisit.vehicle_id, func.max(ServiceVisit.visit_date).label("last_in"))
        .where(ServiceVisit.store_id == store_id)
        .group_by(ServiceVisit.vehicle_id)
        .subquery()
    )
    since = func.coalesce(last_in.c.last_in, Vehicle.delivery_date)
    away = add_months(today, -cadence.lapsed_after_months)
    overdue = today - timedelta(days=cadence.lapsed_overdue_days)
    query = (
        select(
            Vehicle.id,
            Vehicle.plate,
            Vehicle.model,
            Vehicle.delivery_date,
            Vehicle.maintenance_due_on,
            last_in.c.last_in,
            Customer.id,
            Customer.customer_code,
            Customer.name,
            Customer.phone,
        )
        .join(Customer, Customer.id == Vehicle.owner_id)
        .outerjoin(last_in, last_in.c.vehicle_id == Vehicle.id)
        .where(
            Vehicle.store_id == store_id,
            Customer.status == CustomerStatus.ACTIVE,
            or_(since <= away, Vehicle.maintenance_due_on <= overdue),
        )
        .order_by(since, Vehicle.id)
        .limit(limit)
    )
    rows = read(session, query).all()
    calls = (
        {
            vehicle: (task_id, status)
            for vehicle, task_id, status in read(
                session,
                select(FollowupTask.vehicle_id, FollowupTask.id, FollowupTask.status)
                .where(
                    FollowupTask.kind == Kind.LAPSED_CALL,
                    one_of(session, FollowupTask.vehicle_id, [row[0] for row in rows]),
                )
                .order_by(FollowupTask.id),
            )
        }
        if rows
        else {}
    )
    listed = []
    for vehicle_id, plate, model, delivered, due_on, last_visit, *person in rows:
        start, why = rules.lapse_start(last_visit or delivered, due_on, cadence)
        task_id, status = calls.get(vehicle_id, (None, None))
        listed.append(
            {
                "customer_id": person[0],
                "customer_code": person[1],
                "customer": person[2],
                "phone": person[3],
                "vehicle_id": vehicle_id,
                "plate": plate,
                "model": model,
                "last_in": (last_visit or delivered).isoformat(),
                "last_in_was": "visit" if last_visit else "delivery",
                "maintenance_due_on": due_on.isoformat() if due_on else None,
                "lapsed_since": start.isoformat(),
                "why": why,
                "lapsed_call": task_id,
                "lapsed_call_status": status,
            }
        )
    return listed

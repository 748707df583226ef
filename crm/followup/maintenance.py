"""定保: predicting each car's next maintenance from its own odometer history.

The prediction is a pure function of the car's facts; `refresh` keeps it cached on the
vehicle and recomputes only cars whose cache a new visit or reading cleared (with
`crm.vocabulary.predictions.mark_stale`), streaming them in chunks so a million-car
dealer group fits in bounded memory.

Documented behaviour:
- The basis is the latest first-service or maintenance visit. Before the first one
  there is no maintenance reminder: the first-service rules own that stretch.
- Readings: every visit's odometer, mileage reported on calls, and 0 km at delivery,
  taken over `lookback_months` before the car's latest reading.
- Pace (km/day): the least-squares slope of those readings. There is none with a single
  reading or readings less than a week apart, with no progress, or above
  `max_pace_km_day` (a typo in the data); the date then rests on months alone.
- Due: the earlier of basis + interval_months and the day the pace reaches basis km +
  interval_km, never before the latest reading (a car already past its km is due then).
- Stale history (the latest reading long ago) gives a date long past: outside every
  planning horizon, so no reminder; such customers belong to a last-visit campaign.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from crm.bulk import bulk_update
from crm.config import MaintenanceInterval, MaintenanceSettings
from crm.db import one_of
from crm.followup.rules import Reading
from crm.models import ContactAttempt, FollowupTask, ServiceType, ServiceVisit, Vehicle
from crm.vocabulary.calendars import add_months

SERVICE_TYPES = (ServiceType.FIRST_SERVICE, ServiceType.MAINTENANCE)
MIN_SPAN_DAYS = 7


class ServiceRecord(NamedTuple):
    """A visit as the prediction sees it (a tuple: a million cars' visits are built)."""

    visit_id: int
    day: date
    km: int
    service_type: str


@dataclass(frozen=True)
class Prediction:
    due_on: date
    pace_km_day: float | None
    readings: int
    basis_visit_id: int
    basis: str  # "km" when the pace set the date, "months" when the calendar did


def pace(readings: list[Reading], max_pace: float) -> float | None:
    """Least-squares km per day, or None when the readings cannot support one."""
    if len(readings) < 2:
        return None
    origin = readings[0].day
    xs = [(r.day - origin).days for r in readings]
    ys = [r.km for r in readings]
    if max(xs) - min(xs) < MIN_SPAN_DAYS:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    if slope <= 0 or slope > max_pace:
        return None
    return slope


def predict(
    delivery: date,
    services: list[ServiceRecord],
    reported: list[Reading],
    interval: MaintenanceInterval,
    settings: MaintenanceSettings,
) -> Prediction | None:
    """The next maintenance of one car, or None before its first service."""
    done = [s for s in services if s.service_type in SERVICE_TYPES]
    if not done:
        return None
    basis = max(done, key=lambda s: (s.day, s.km))
    readings = sorted(
        [Reading(delivery, 0), *(Reading(s.day, s.km) for s in services), *reported],
        key=lambda r: (r.day, r.km),
    )
    latest = readings[-1]
    since = add_months(latest.day, -settings.lookback_months)
    recent = [r for r in readings if r.day >= since]
    speed = pace(recent, settings.max_pace_km_day)
    by_months = add_months(basis.day, interval.interval_months)
    due, why = by_months, "months"
    if speed is not None:
        remaining = basis.km + interval.interval_km - latest.km
        # The epsilon keeps an exact day exact: 5,000 km at 5000/28 km/day is day 28.
        by_km = latest.day + timedelta(days=max(0, int(remaining / speed + 1e-9)))
        if by_km < by_months:
            due, why = by_km, "km"
    return Prediction(
        due_on=max(due, latest.day),
        pace_km_day=round(speed, 1) if speed is not None else None,
        readings=len(recent),
        basis_visit_id=basis.visit_id,
        basis=why,
    )


def refresh(
    session: Session,
    store_id: int,
    settings: MaintenanceSettings,
    zone: ZoneInfo,
    now: datetime,
    *,
    commit: bool = True,
    chunk: int = 5000,
) -> int:
    """Recompute every prediction of the store that a visit or reading made stale."""
    vehicles = Vehicle.__table__
    visits = ServiceVisit.__table__
    stale = (
        select(vehicles.c.id, vehicles.c.delivery_date, vehicles.c.model)
        .where(vehicles.c.store_id == store_id, vehicles.c.maintenance_predicted_at.is_(None))
        .order_by(vehicles.c.id)
        .limit(chunk)
    )
    total = 0
    while cars := session.execute(stale).all():
        ids = [car.id for car in cars]
        services: dict[int, list[ServiceRecord]] = defaultdict(list)
        for row in session.execute(
            select(
                visits.c.vehicle_id,
                visits.c.id,
                visits.c.visit_date,
                visits.c.odometer_km,
                visits.c.service_type,
            ).where(one_of(session, visits.c.vehicle_id, ids))
        ).all():
            services[row[0]].append(ServiceRecord(*row[1:]))
        reported = reported_mileage(session, ids, zone)
        rows = []
        for car in cars:
            found = predict(
                car.delivery_date,
                services[car.id],
                reported[car.id],
                settings.interval(car.model),
                settings,
            )
            rows.append(
                {
                    "id": car.id,
                    "maintenance_due_on": found.due_on if found else None,
                    "maintenance_pace_km_day": found.pace_km_day if found else None,
                    "maintenance_readings": found.readings if found else None,
                    "maintenance_basis_visit_id": found.basis_visit_id if found else None,
                    "maintenance_predicted_at": now,
                }
            )
        bulk_update(session, vehicles, "id", rows)
        if commit:
            session.commit()
        total += len(cars)
    return total


def reported_mileage(session: Session, vehicle_ids: list[int], zone: ZoneInfo) -> dict:
    """Odometer readings customers gave on calls, by vehicle, as store-local days."""
    found: dict[int, list[Reading]] = defaultdict(list)
    for vehicle_id, at, km in session.execute(
        select(FollowupTask.vehicle_id, ContactAttempt.attempted_at, ContactAttempt.mileage_km)
        .join(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
        .where(
            one_of(session, FollowupTask.vehicle_id, vehicle_ids),
            ContactAttempt.mileage_km.is_not(None),
        )
    ):
        found[vehicle_id].append(Reading(at.astimezone(zone).date(), km))
    return found

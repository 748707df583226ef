"""What changed since the last run: facts read through the indexes on their change times.

A run after the first plans late contacts only for rows written since the previous run
began (`Horizon.changed_after`). It reads them by that time (`updated_at`,
`maintenance_predicted_at`, `recorded_at`, `attempted_at`, each indexed) and checks their
dates in Python: a date index would read every car of the store whose date fits, changed
or not, which grows with the store. A first run finds everything new and reads by date.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlmodel import Session

from crm.db import one_of
from crm.models import ContactAttempt, Customer, FollowupTask, ServiceVisit, Vehicle

# Changed after the epoch: every row is new (a first run).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK = 5000


def everything_new(changed_after: datetime) -> bool:
    return changed_after <= EPOCH


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    listed = sorted(ids)
    for start in range(0, len(listed), size):
        yield listed[start : start + size]


def reported_cars(
    session: Session, store_id: int, since: date, after: datetime | None = None
) -> list[int]:
    """The store's cars whose owners reported mileage on a call since `since` (and after `after`).

    Read from the call attempts by their time, then their tasks by id: never a join over
    every task the store ever had.
    """
    attempts = select(ContactAttempt.task_id).where(
        ContactAttempt.attempted_at >= datetime.combine(since, time.min, UTC),
        ContactAttempt.mileage_km.is_not(None),
    )
    queries = [attempts]
    if after is not None:
        queries = [
            attempts.where(ContactAttempt.attempted_at > after),
            # A reading corrected since: an older call with a new value (its own index).
            select(ContactAttempt.task_id).where(
                ContactAttempt.corrected_at > after,
                ContactAttempt.attempted_at >= datetime.combine(since, time.min, UTC),
                ContactAttempt.mileage_km.is_not(None),
            ),
        ]
    task_ids = {
        task_id for query in queries for task_id in session.execute(query).scalars() if task_id
    }
    cars: set[int] = set()
    for chunk in chunks(task_ids):
        cars.update(
            session.execute(
                select(FollowupTask.vehicle_id).where(
                    one_of(session, FollowupTask.id, chunk),
                    FollowupTask.store_id == store_id,
                    FollowupTask.vehicle_id.is_not(None),
                )
            ).scalars()
        )
    return sorted(cars)


def visited_cars(session: Session, store_id: int, changed_after: datetime) -> list[int]:
    """Cars with a visit written since `changed_after`."""
    return sorted(
        set(
            session.execute(
                select(ServiceVisit.vehicle_id).where(
                    ServiceVisit.store_id == store_id, ServiceVisit.updated_at > changed_after
                )
            ).scalars()
        )
    )


def repredicted_cars(session: Session, store_id: int, changed_after: datetime) -> list[int]:
    """Cars whose maintenance prediction was written since `changed_after`."""
    return list(
        session.execute(
            select(Vehicle.id).where(
                Vehicle.store_id == store_id, Vehicle.maintenance_predicted_at > changed_after
            )
        ).scalars()
    )


def changed_customers(session: Session, store_id: int, changed_after: datetime) -> list[int]:
    """Customers written since `changed_after` (a status, a consent, a birthday, a newcomer)."""
    return sorted(
        session.execute(
            select(Customer.id).where(
                Customer.store_id == store_id, Customer.updated_at > changed_after
            )
        ).scalars()
    )

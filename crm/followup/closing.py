"""Closing what the facts already settled, set-wise: no reminder for a car that came in.

A first run checks every open task and queued message of the store. Later runs check
only those whose facts changed since the previous run began: the cars with a visit or
a new maintenance prediction, the customers written since. Tasks are only ever written
for cars not yet in, on the current prediction, to active customers, so an unchanged
fact cannot have settled anything new.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, cast, exists, func, literal, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from crm.db import one_of
from crm.followup import changes
from crm.followup.maintenance import SERVICE_TYPES
from crm.models import (
    Customer,
    CustomerStatus,
    FollowupTask,
    ServiceVisit,
    SmsMessage,
    SmsStatus,
    TaskStatus,
    Vehicle,
)
from crm.vocabulary.kinds import Kind


def close_settled(
    session: Session, store_id: int, now: datetime, *, changed_after: datetime | None = None
) -> int:
    """Close open tasks and cancel queued messages the facts made pointless; returns how many.

    With `changed_after`, only those whose car or customer changed since then.
    """
    changed = _Changed(session, store_id, changed_after)
    if changed_after is not None and not (
        changed.visited() or changed.repredicted() or changed.customers()
    ):
        return 0  # no fact changed, so none settled anything: no statement to build
    tasks = FollowupTask.__table__
    messages = SmsMessage.__table__
    came_in = exists().where(
        ServiceVisit.vehicle_id == tasks.c.vehicle_id,
        ServiceVisit.service_type.in_(SERVICE_TYPES),
    )
    # A maintenance reminder rests on one basis visit; a newer service replaced it.
    newer_basis = exists().where(
        Vehicle.id == tasks.c.vehicle_id,
        tasks.c.cycle != literal("after:") + cast(Vehicle.maintenance_basis_visit_id, String),
    )
    # A win-back call is moot once the car has been in after the visit its lapse follows
    # (its cycle, "after:<visit id>"; "after:delivery": any visit). By visit date, not by
    # when a row was written: last year's history imported late is no return.
    basis = aliased(ServiceVisit)
    basis_day = (
        select(basis.visit_date)
        .where(
            basis.vehicle_id == tasks.c.vehicle_id,
            literal("after:") + cast(basis.id, String) == tasks.c.cycle,
        )
        .correlate(tasks)
        .scalar_subquery()
    )
    back_in = exists().where(
        ServiceVisit.vehicle_id == tasks.c.vehicle_id,
        ServiceVisit.visit_date > func.coalesce(basis_day, date(1900, 1, 1)),
    )
    inactive = exists().where(
        Customer.id == tasks.c.customer_id, Customer.status != CustomerStatus.ACTIVE
    )
    car_came_in = exists().where(
        ServiceVisit.vehicle_id == messages.c.vehicle_id,
        ServiceVisit.service_type.in_(SERVICE_TYPES),
    )
    inactive_customer = exists().where(
        Customer.id == messages.c.customer_id, Customer.status != CustomerStatus.ACTIVE
    )
    # The SMS sent in place of unanswered reminder calls: moot once the car came in.
    in_since_queued = exists().where(
        ServiceVisit.vehicle_id == messages.c.vehicle_id,
        ServiceVisit.service_type.in_(SERVICE_TYPES),
        ServiceVisit.visit_date >= messages.c.planned_for,
    )
    closing_tasks = update(tasks).values(closed_at=now, updated_at=now)
    cancelling = update(messages).values(status=SmsStatus.CANCELLED, updated_at=now)
    closed = 0
    for statement, condition, column, ids in (
        (
            closing_tasks.values(status=TaskStatus.DONE),
            (tasks.c.kind == Kind.FIRST_SERVICE_CALL) & came_in,
            tasks.c.vehicle_id,
            changed.visited,
        ),
        (
            closing_tasks.values(status=TaskStatus.DONE),
            (tasks.c.kind == Kind.MAINTENANCE_CALL) & newer_basis,
            tasks.c.vehicle_id,
            changed.repredicted,
        ),
        (
            closing_tasks.values(status=TaskStatus.DONE),
            (tasks.c.kind == Kind.LAPSED_CALL) & back_in,
            tasks.c.vehicle_id,
            changed.visited,
        ),
        (
            closing_tasks.values(status=TaskStatus.CANCELLED),
            inactive,
            tasks.c.customer_id,
            changed.customers,
        ),
        (
            cancelling,
            (messages.c.kind == Kind.FIRST_SERVICE_SMS) & car_came_in,
            messages.c.vehicle_id,
            changed.visited,
        ),
        (
            cancelling,
            (messages.c.kind == Kind.REMINDER_FALLBACK) & in_since_queued,
            messages.c.vehicle_id,
            changed.visited,
        ),
        (cancelling, inactive_customer, messages.c.customer_id, changed.customers),
    ):
        table = statement.table
        pending = TaskStatus.OPEN if table is tasks else SmsStatus.QUEUED
        settled = statement.where(
            table.c.store_id == store_id, table.c.status == pending, condition
        )
        if changed_after is None:
            closed += session.execute(settled).rowcount
            continue
        # First the rows of what changed, through the car's or customer's index, then
        # the update by primary key: given the store, status and kind, the database
        # would walk every open task (or every task of the kind) instead.
        for chunk in changes.chunks(ids()):
            rows = (
                session.execute(select(table.c.id).where(one_of(session, column, chunk)))
                .scalars()
                .all()
            )
            for part in changes.chunks(rows):
                closed += session.execute(settled.where(one_of(session, table.c.id, part))).rowcount
    return closed


class _Changed:
    """The store's cars and customers whose facts changed since a moment, each read once."""

    def __init__(self, session: Session, store_id: int, since: datetime | None):
        self.session, self.store_id, self.since = session, store_id, since
        self._found: dict[str, list[int]] = {}

    def _read(self, name: str, read) -> list[int]:
        if name not in self._found:
            self._found[name] = read(self.session, self.store_id, self.since)
        return self._found[name]

    def visited(self) -> list[int]:
        return self._read("visited", changes.visited_cars)

    def repredicted(self) -> list[int]:
        return self._read("repredicted", changes.repredicted_cars)

    def customers(self) -> list[int]:
        return self._read("customers", changes.changed_customers)

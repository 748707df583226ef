"""Closing what the facts already settled, set-wise: no reminder for a car that came in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, exists, literal, update
from sqlmodel import Session

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


def close_settled(session: Session, store_id: int, now: datetime) -> int:
    """Close open tasks and cancel queued messages the facts made pointless; returns how many."""
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
    inactive = exists().where(
        Customer.id == tasks.c.customer_id, Customer.status != CustomerStatus.ACTIVE
    )
    closed = 0
    for condition, status in (
        ((tasks.c.kind == Kind.FIRST_SERVICE_CALL) & came_in, TaskStatus.DONE),
        ((tasks.c.kind == Kind.MAINTENANCE_CALL) & newer_basis, TaskStatus.DONE),
        (inactive, TaskStatus.CANCELLED),
    ):
        closed += session.execute(
            update(tasks)
            .where(tasks.c.store_id == store_id, tasks.c.status == TaskStatus.OPEN, condition)
            .values(status=status, closed_at=now, updated_at=now)
        ).rowcount
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
    for condition in (
        (messages.c.kind == Kind.FIRST_SERVICE_SMS) & car_came_in,
        (messages.c.kind == Kind.REMINDER_FALLBACK) & in_since_queued,
        inactive_customer,
    ):
        closed += session.execute(
            update(messages)
            .where(
                messages.c.store_id == store_id,
                messages.c.status == SmsStatus.QUEUED,
                condition,
            )
            .values(status=SmsStatus.CANCELLED, updated_at=now)
        ).rowcount
    return closed

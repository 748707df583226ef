"""The audit trail: each accountable change is a row written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from crm.models import AuditEvent

# The changes a manager must be able to account for (issue 13, item 9).
ACTIONS = (
    "customer_phone",  # a customer's phone number changed
    "consent",  # SMS consent given or withdrawn
    "customer_status",  # lost, deceased, active again
    "reassign",  # calls handed over or rebalanced
    "agent_active",  # an agent deactivated or activated
    "complaint_resolve",  # a complaint resolved
    "complaint_route",  # a complaint's department or owner changed
    "campaign",  # a campaign launched
    "import",  # a DMS file imported
    "user",  # a login added, disabled, its role, store or password changed
    "call_correction",  # a logged call's result amended
    "report",  # the scheduled month-end report written (subject: its month)
)


def record(
    session: Session,
    *,
    store_id: int,
    actor: str,
    action: str,
    at: datetime,
    subject: str = "",
    customer_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add the row for one change to `session`; it commits (or not) with the change itself."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        store_id=store_id,
        at=at,
        actor=actor[:64],
        action=action,
        customer_id=customer_id,
        subject=subject[:200],
        detail=detail or {},
    )
    session.add(event)
    return event


def trail(
    session: Session,
    store_id: int,
    *,
    customer_id: int | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The store's changes, newest first; `before_id` pages back through older ones."""
    query = select(AuditEvent).where(AuditEvent.store_id == store_id)
    if customer_id is not None:
        query = query.where(AuditEvent.customer_id == customer_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.exec(query.order_by(AuditEvent.id.desc()).limit(limit)))

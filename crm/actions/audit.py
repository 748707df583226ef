"""The audit trail as the consoles and the CLI read it."""

from __future__ import annotations

from crm.access.audit import ACTIONS, trail
from crm.actions.context import StoreContext
from crm.errors import UsageError


def audit_trail(
    ctx: StoreContext,
    customer_id: int | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict]:
    """The store's recorded changes, newest first, as plain rows (times in the store's zone)."""
    from sqlmodel import select

    from crm.models import Customer

    if action is not None and action not in ACTIONS:
        raise UsageError(
            f"unknown action {action!r}; use one of {', '.join(ACTIONS)}", field="action"
        )
    with ctx.session() as session:
        events = trail(
            session,
            ctx.store_id,
            customer_id=customer_id,
            action=action,
            before_id=before_id,
            limit=limit,
        )
        ids = {event.customer_id for event in events if event.customer_id is not None}
        names = dict(
            session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all()
            if ids
            else []
        )
        return [
            {
                "id": event.id,
                "at": event.at.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M"),
                "actor": event.actor,
                "action": event.action,
                "customer_id": event.customer_id,
                "customer": names.get(event.customer_id),
                "subject": event.subject,
                "detail": event.detail,
            }
            for event in events
        ]


def audit_page(ctx: StoreContext, action: str | None = None, before_id: int | None = None) -> dict:
    """A page of the trail (`web.page_size` rows) and where the next, older page starts."""
    size = ctx.settings.web.page_size
    rows = audit_trail(ctx, action=action, before_id=before_id, limit=size + 1)
    older = rows[size - 1]["id"] if len(rows) > size else None
    return {"rows": rows[:size], "older": older, "action": action, "actions": list(ACTIONS)}

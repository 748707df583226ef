"""The audit trail as the consoles and the CLI read it."""

from __future__ import annotations

from crm.access.audit import trail
from crm.actions.context import StoreContext


def audit_trail(
    ctx: StoreContext,
    customer_id: int | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict]:
    """The store's recorded changes, newest first, as plain rows (times in the store's zone)."""
    with ctx.session() as session:
        events = trail(
            session,
            ctx.store_id,
            customer_id=customer_id,
            action=action,
            before_id=before_id,
            limit=limit,
        )
        return [
            {
                "id": event.id,
                "at": event.at.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M"),
                "actor": event.actor,
                "action": event.action,
                "customer_id": event.customer_id,
                "subject": event.subject,
                "detail": event.detail,
            }
            for event in events
        ]

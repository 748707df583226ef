"""The only place that reads the clock: now, in UTC. A store's today comes from its context
(`crm.actions.context.StoreContext`), on the store's own zone."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)

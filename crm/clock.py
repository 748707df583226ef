"""The only place that reads the clock: UTC for storing, the store's zone for dates."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def store_today(zone: ZoneInfo) -> date:
    """Today's date in the store's time zone."""
    return utcnow().astimezone(zone).date()

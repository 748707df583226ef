"""Column types and helpers every table shares."""

from datetime import UTC

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

from crm.clock import utcnow


class UTCDateTime(TypeDecorator):
    """An instant stored as UTC and read back as an aware UTC datetime.

    SQLite keeps no zone, so naive values there are UTC by contract; PostgreSQL
    stores `timestamptz`. Naive input is refused: it would be ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def created_at_field():
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def updated_at_field():
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def moment_field(**kwargs):
    """An optional instant (UTC)."""
    return Field(default=None, sa_type=UTCDateTime, **kwargs)


def code_field(length: int, **kwargs):
    """A short code stored as VARCHAR(length); values are checked by a table constraint."""
    return Field(sa_type=String(length), **kwargs)


def one_of(column: str, values) -> str:
    """SQL for a CHECK constraint: `column` takes one of `values`."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"

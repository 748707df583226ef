"""Bulk loading straight through the driver, for demo stores of 100,000 customers.

SQLAlchemy's executemany spends most of its time converting each value of each row;
here each distinct value is converted once (dates and timestamps repeat a lot), and
PostgreSQL gets COPY, its native bulk path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from sqlalchemy import Boolean, Date, Table
from sqlmodel import Session

from crm.models.base import UTCDateTime


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in one driver call."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    converters = [_sqlite_converter(table.c[c].type) for c in columns]
    values = [tuple(f(row[c]) for f, c in zip(converters, columns, strict=True)) for row in rows]
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def _sqlite_converter(column_type):
    """How SQLAlchemy's SQLite dialect stores a value of this type (see crm.models.base)."""
    if isinstance(column_type, UTCDateTime):
        return _timestamp
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, Boolean):
        return _boolean
    return _same


@lru_cache(maxsize=4096)
def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@lru_cache(maxsize=8192)
def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _boolean(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _same(value):
    return value


def bulk_update(session: Session, table: Table, key: str, rows: list[dict]) -> None:
    """`UPDATE table SET … WHERE key = …` for each row (dicts with the same keys), in one call."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    assignments = ", ".join(f"{c} = {mark}" for c in columns)
    statement = f"UPDATE {table.name} SET {assignments} WHERE {key} = {mark}"
    if postgres:
        values = [tuple(row[c] for c in columns) + (row[key],) for row in rows]
    else:
        converters = [_sqlite_converter(table.c[c].type) for c in columns]
        values = [
            tuple(f(row[c]) for f, c in zip(converters, columns, strict=True)) + (row[key],)
            for row in rows
        ]
    connection.exec_driver_sql(statement, values)

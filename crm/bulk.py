"""Bulk writes straight through the driver: demo stores of 100,000 customers, and the
calls and messages a planning run inserts.

SQLAlchemy's executemany spends most of its time converting each value of each row;
here each distinct value is converted once (dates and timestamps repeat a lot), and
PostgreSQL gets COPY, its native bulk path.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from sqlalchemy import JSON, Boolean, Date, Table
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
    values = list(_sent(table, rows, columns, postgres=False))
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


# SQLite binds at most 32,766 values a statement; a few thousand keeps statements short.
SQLITE_VALUES = 4000


def insert_ignoring(
    session: Session, table: Table, rows: list[dict], key: list[str], returning: list[str]
) -> list:
    """Insert the rows (dicts with the same keys) whose `key` is new, in their order; the
    `returning` columns of each row inserted (a value each when there is one column,
    else a tuple). The statements go to the driver as SQL text: compiling a statement
    per row, or binding a parameter per cell, cost more than the database's own work."""
    if not rows:
        return []
    session.flush()  # as session.execute would: pending changes go first
    insert = _insert_ignoring_postgres
    if session.get_bind().dialect.name != "postgresql":
        insert = _insert_ignoring_sqlite
    found = insert(session, table, rows, key, returning)
    return [value for (value,) in found] if len(returning) == 1 else [tuple(r) for r in found]


def _insert_ignoring_sqlite(session, table: Table, rows: list[dict], key, returning) -> list:
    """Multi-row INSERT … ON CONFLICT DO NOTHING RETURNING statements, each value converted
    as SQLAlchemy's SQLite dialect would store it, but once per distinct date and time."""
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    row_marks = f"({', '.join('?' * len(columns))})"
    page = max(1, SQLITE_VALUES // len(columns))
    connection = session.connection()
    found = []
    for start in range(0, len(rows), page):
        chunk = rows[start : start + page]
        found += connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES {', '.join([row_marks] * len(chunk))}"
            f" ON CONFLICT ({', '.join(key)}) DO NOTHING RETURNING {', '.join(returning)}",
            tuple(chain.from_iterable(_sent(table, chunk, columns, postgres=False))),
        ).all()
    return found


def _insert_ignoring_postgres(session, table: Table, rows: list[dict], key, returning) -> list:
    """The rows copied (COPY, the driver's C path) into a temporary table shaped as
    theirs, then one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING in their order.
    Arrays bound as parameters were dumped element by element in Python, each text
    quoted by a regular expression: a third of a first run's CPU."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    staging = f"new_{table.name}"
    connection = session.connection()
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS"
        f" SELECT {names}, 0 AS place FROM {table.name} WITH NO DATA"
    )
    copying = f"COPY {staging} ({names}, place) FROM STDIN"
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(copying) as copy:
            # Each row's place goes with it, to insert the rows in their order.
            for cells in _sent(table, rows, columns, True, range(len(rows))):
                copy.write_row(cells)
    except psycopg.Error as exc:  # a value the column refuses: as an INSERT would say it
        raise DBAPIError.instance(copying, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()
    found = connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} ORDER BY place"
        f" ON CONFLICT ({', '.join(key)}) DO NOTHING RETURNING {', '.join(returning)}"
    ).all()
    connection.exec_driver_sql(f"DROP TABLE {staging}")
    return found


def _sent(table: Table, rows: list[dict], columns: list[str], postgres: bool, *extra):
    """The rows' values as sent to the driver, each column converted at once (then `extra`
    columns), zipped back into rows."""
    cells_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    converted = [
        cells if convert is _same else map(convert, cells)
        for convert, cells in zip(
            [_converter(table.c[c].type, postgres) for c in columns],
            zip(*map(cells_of, rows), strict=True),
            strict=True,
        )
    ]
    return zip(*converted, *extra, strict=True)


def _converter(column_type, postgres: bool):
    """How a value of this type is sent: as SQLAlchemy's SQLite dialect stores it, or as
    the text PostgreSQL's COPY reads (see crm.models.base). JSON as its type writes it
    (None is JSON null); each distinct date and time formatted once, not on every row."""
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, UTCDateTime):
        return _aware_timestamp if postgres else _timestamp
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, Boolean) and not postgres:
        return _boolean
    return _same


# Times are made UTC before their text is cached: equal wall times of one zone can be two
# instants (the hour repeated when daylight saving ends).
def _aware_timestamp(value: datetime | None) -> str | None:
    return None if value is None else _utc_iso(value.astimezone(UTC))


@lru_cache(maxsize=4096)
def _utc_iso(value: datetime) -> str:
    return value.isoformat()  # with its offset, for timestamptz


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else _utc_naive_text(value.astimezone(UTC))


@lru_cache(maxsize=4096)
def _utc_naive_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy's SQLite dialect


@lru_cache(maxsize=8192)
def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value) -> str:
    if value == {}:  # most calls' details: their text without a call to the encoder
        return "{}"
    return json.dumps(value)  # as the JSON type: None is JSON null, not SQL NULL


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
        values = [
            (*sent, row[key])
            for sent, row in zip(_sent(table, rows, columns, postgres=False), rows, strict=True)
        ]
    connection.exec_driver_sql(statement, values)

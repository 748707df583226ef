"""Exactly-once inserts: the database's unique key decides, not a read before the write."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

KEY = ("kind", "subject", "cycle")


def insert_new(session: Session, table: Table, rows: list[dict]) -> list[str]:
    """Insert the rows whose (kind, subject, cycle) is new; return the kinds inserted.

    ON CONFLICT DO NOTHING makes a second planner, or a second run, a no-op even when
    both insert at once; RETURNING reports only the rows this call created.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(KEY))
    return list(session.execute(statement.returning(table.c.kind), rows).scalars())

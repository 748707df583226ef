"""What every import shares: the context rows are read in, and how a batch lands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Table, bindparam, insert, update
from sqlmodel import Session

from crm.clock import utcnow
from crm.importing.values import BadValue, text

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


@dataclass(frozen=True)
class Context:
    """Facts an import needs beside the file: each store's today, the region, the stores."""

    today: date  # the default store's
    now: datetime
    phone_region: str
    default_store_id: int
    stores: dict[str, int]  # store code -> id
    todays: dict[int, date] = field(default_factory=dict)  # store id -> its own today

    def today_for(self, store_id: int) -> date:
        """The row's store's own today: a group's stores may sit in different zones."""
        return self.todays.get(store_id, self.today)

    def store_id(self, value) -> int:
        code = text(value)
        if code is None:
            return self.default_store_id
        try:
            return self.stores[code]
        except KeyError:
            raise BadValue(f"unknown store {code!r}; add the store first") from None


@dataclass
class Record:
    """One input row that parsed: its key within the file and its clean fields."""

    row: int
    cells: list
    key: str
    store_id: int
    fields: dict
    result: str | None = None  # NEW, UPDATED, UNCHANGED; or the reject reason in `reason`
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)  # optional cells left blank, and why

    def reject(self, reason: str) -> None:
        self.reason = reason


@dataclass
class Writes:
    """Rows to insert and updates (each with its `id`) to send in one statement each."""

    table: Table
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)

    def flush(self, session: Session) -> None:
        # Stamped when written, not when the import began: the planner treats rows
        # stamped after its previous run as new facts, and a long import's last
        # batches arrive long after its start.
        now = utcnow()
        if self.inserts:
            for row in self.inserts:
                row.setdefault("created_at", now)
                row.setdefault("updated_at", now)
            for rows in _by_shape(self.inserts):
                session.execute(insert(self.table), rows)
        if self.updates:
            for row in self.updates:
                row["updated_at"] = now
            for rows in _by_shape(self.updates):
                columns = [c for c in rows[0] if c != "id"]
                statement = (
                    update(self.table)
                    .where(self.table.c.id == _bind("id"))
                    .values({c: _bind(c) for c in columns})
                )
                session.connection().execute(
                    statement, [{f"b_{k}": v for k, v in row.items()} for row in rows]
                )
        self.inserts, self.updates = [], []


def _by_shape(rows: list[dict]) -> list[list[dict]]:
    """Rows grouped by their set of columns: one executemany per shape."""
    shapes: dict[tuple, list[dict]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append(row)
    return list(shapes.values())


def _bind(name: str):
    # Prefixed: a bind parameter may not share its name with a column being updated.
    return bindparam(f"b_{name}")


def changes(existing: dict, fields: dict) -> dict:
    """The fields whose new value differs; a blank cell (None) never erases stored data."""
    return {k: v for k, v in fields.items() if v is not None and existing.get(k) != v}

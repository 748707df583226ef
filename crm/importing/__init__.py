"""Imports from dealer systems: every input row is stored or reported with its reason.

1. Open the file (CSV in any of its encodings, or .xlsx), find its header below any
   title rows (on the first sheet that has one), and map its columns.
2. Parse each row; a required cell that cannot be read rejects the row, an optional one
   (gender, birthday, an unknown service type) is left blank with a warning.
3. Reject a row whose key an earlier row of the file already used with other values.
4. Land the rows in batches: one lookup query and one write per shape, per batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from crm.errors import UnknownStore
from crm.importing.base import NEW, UNCHANGED, UPDATED, Context, Record
from crm.importing.columns import map_headers, match_headers
from crm.importing.customers import CustomerImport
from crm.importing.rejects import RejectsFile, WarningsFile
from crm.importing.source import open_source
from crm.importing.values import BadValue, excel_text
from crm.importing.vehicles import VehicleImport
from crm.importing.visits import VisitImport
from crm.models import Store

IMPORTS = {cls.kind: cls for cls in (CustomerImport, VehicleImport, VisitImport)}


@dataclass
class ImportResult:
    kind: str
    file: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    dry_run: bool = False
    warned: int = 0  # rows stored with an optional cell left blank (or read as other)
    warnings_file: str | None = None

    @property
    def rows(self) -> int:
        return self.new + self.updated + self.unchanged + self.rejected

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary(self) -> str:
        line = (
            f"{self.kind}: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
        if self.rejects_file:
            line += f" (see {self.rejects_file})"
        if self.warned:
            line += f"; {self.warned} stored with warnings (see {self.warnings_file})"
        return line + (" [dry run: nothing saved]" if self.dry_run else "")

    def as_json(self) -> dict:
        return {**asdict(self), "rows": self.rows}


def run_import(
    engine: Engine,
    kind: str,
    path: Path,
    *,
    store_code: str,
    today: date,
    now: datetime,
    phone_region: str,
    batch_size: int = 1000,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import `path` as `kind` into the store `store_code` (rows may name their own store)."""
    source = open_source(path, lambda cells: not match_headers(kind, cells)[1])
    positions = map_headers(kind, source.headers, path.name, source.where)
    result = ImportResult(kind=kind, file=str(path), dry_run=dry_run)
    rejects = RejectsFile(path, source.headers)
    warnings = WarningsFile(path, source.headers)
    # Key and content as 64-bit fingerprints: 500,000 rows cost tens of MB, not hundreds.
    seen: dict[int, int] = {}  # key -> first row << 64 | content fingerprint
    with Session(engine) as session:
        context = _context(session, store_code, today, now, phone_region)
        importer = IMPORTS[kind](session, context)
        batch: list[Record] = []
        statistics = _Statistics(session, importer.table.name, dry_run)

        def land() -> None:
            importer.apply(batch)
            for record in batch:
                _count(result, record, rejects, warnings)
            if not dry_run:
                session.commit()
            statistics.grew(sum(1 for record in batch if record.result == NEW))
            batch.clear()
            if progress:
                progress(source.position(), source.size)

        try:
            for row, cells in source.rows:
                named = {
                    name: excel_text(cells[i]) if i < len(cells) else None
                    for name, i in positions.items()
                }
                notes: list[str] = []
                try:
                    _check_cells(cells)
                    key, store_id, fields = importer.prepare(named, notes)
                    _check_fits(importer.table, fields)
                except BadValue as exc:
                    rejects.add(row, cells, str(exc))
                    result.rejected += 1
                    continue
                content = _fingerprint(repr(sorted(fields.items())))
                first = seen.setdefault(_fingerprint(key), row << 64 | content)
                if first & _LOW_64 != content:
                    rejects.add(
                        row, cells, f"conflicts with row {first >> 64} (same {_key_name(kind)})"
                    )
                    result.rejected += 1
                    continue
                batch.append(Record(row, cells, key, store_id, fields, warnings=notes))
                if len(batch) >= batch_size:
                    land()
            if batch:
                land()
        finally:
            rejects.close()
            warnings.close()
            if dry_run:
                session.rollback()
    if rejects.count:
        result.rejects_file = str(rejects.path)
    if warnings.count:
        result.warnings_file = str(warnings.path)
    return result


_LOW_64 = (1 << 64) - 1


class _Statistics:
    """Keeps PostgreSQL's statistics of the table being filled in step with its size.

    A table that was never analysed looks empty to PostgreSQL's planner, which then finds
    a batch's customers by scanning the whole store (the store_id index) rather than
    through the code and phone indexes: each batch slower than the last, 167 rows a second
    after 100,000. Autovacuum analyses too late for an import. So the import analyses the
    table itself whenever the rows it added since the last time have doubled: a handful of
    ANALYZEs (each samples at most 30,000 rows) keep every batch's look-up on its index.
    """

    def __init__(self, session: Session, table: str, dry_run: bool):
        self.session, self.table = session, table
        self.active = not dry_run and session.get_bind().dialect.name == "postgresql"
        self.added = 0
        self.next_at = 1000

    def grew(self, rows: int) -> None:
        self.added += rows
        if self.active and self.added >= self.next_at:
            self.session.execute(text(f'ANALYZE "{self.table}"'))
            self.session.commit()
            self.next_at = self.added * 2


MAX_CELL = 4000  # characters: no DMS field is longer; a longer cell is a damaged file
_BIGINT = 2**63 - 1


def _check_cells(cells: list) -> None:
    """Refuse a row no database could store alike: an over-long cell, a NUL character."""
    for cell in cells:
        if isinstance(cell, str):
            if len(cell) > MAX_CELL:
                raise BadValue(f"a cell of {len(cell):,} characters (at most {MAX_CELL:,})")
            if "\x00" in cell:
                raise BadValue("a cell holds a NUL character (a damaged export?)")


def _check_fits(table, fields: dict) -> None:
    """Each value fits its column on SQLite and PostgreSQL alike, or the row is rejected.

    SQLite would store a 70-character code in a 64-character column; PostgreSQL refuses
    it and with it the whole batch. Checked here, both reject the one row with its reason.
    """
    for name, value in fields.items():
        column = table.c.get(name)
        if column is None:
            continue
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            raise BadValue(f"{name} is {len(value)} characters long (at most {length})")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _BIGINT:
            raise BadValue(f"{name} {value} is too large")


def _fingerprint(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest())


def _count(
    result: ImportResult, record: Record, rejects: RejectsFile, warnings: WarningsFile
) -> None:
    if record.reason is not None:
        rejects.add(record.row, record.cells, record.reason)
        result.rejected += 1
        return
    if record.warnings:
        warnings.add(record.row, record.cells, "; ".join(record.warnings))
        result.warned += 1
    if record.result == NEW:
        result.new += 1
    elif record.result == UPDATED:
        result.updated += 1
    elif record.result == UNCHANGED:
        result.unchanged += 1
    else:  # pragma: no cover - every importer sets one of the above
        raise AssertionError(f"row {record.row} was neither stored nor rejected")


def _context(session: Session, store_code: str, today: date, now: datetime, region: str) -> Context:
    rows = session.execute(select(Store.code, Store.id, Store.timezone)).all()
    stores = {code: id_ for code, id_, _zone in rows}
    if store_code not in stores:
        raise UnknownStore(f"unknown store {store_code!r}", field="store")
    todays = {}
    for _code, id_, zone in rows:
        # A store row from before zones were checked keeps the default store's day.
        with suppress(ZoneInfoNotFoundError, ValueError):
            todays[id_] = now.astimezone(ZoneInfo(zone)).date()
    todays[stores[store_code]] = today
    return Context(
        today=today,
        now=now,
        phone_region=region,
        default_store_id=stores[store_code],
        stores=stores,
        todays=todays,
    )


def _key_name(kind: str) -> str:
    return {"customers": "customer_code or phone", "vehicles": "VIN", "visits": "ro_number"}[kind]

"""The rejects file (every row that did not land) and the warnings file (rows that landed
with a cell left blank), each with the row's columns, its number and the reason."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path


def rejects_path(path: Path) -> Path:
    """`customers.csv` -> `customers.csv.rejects.csv`, beside the input.

    The whole name, extension included: a CSV and an .xlsx of one export, imported one
    after the other, each keep their own.
    """
    return path.with_name(f"{path.name}.rejects.csv")


def warnings_path(path: Path) -> Path:
    """`customers.csv` -> `customers.csv.warnings.csv`, beside the input."""
    return path.with_name(f"{path.name}.warnings.csv")


class RowsFile:
    """Written only when a row is added; a stale one from an earlier run is removed."""

    def __init__(self, path: Path, headers: list[str], column: str = "reason"):
        self.path = path
        self.headers = headers
        self.column = column
        self.count = 0
        self._file = None
        self._writer = None
        self.path.unlink(missing_ok=True)

    def add(self, row: int, cells: list, reason: str) -> None:
        if self._writer is None:
            # UTF-8 with a BOM: what Excel needs to open Chinese text correctly.
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow([*self.headers, "row", self.column])
        padded = [_cell(c) for c in cells] + [""] * (len(self.headers) - len(cells))
        self._writer.writerow([*padded, row, reason])
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class RejectsFile(RowsFile):
    """The rows that did not land, with the reason each was rejected."""

    def __init__(self, path: Path, headers: list[str]):
        super().__init__(rejects_path(path), headers, "reason")


class WarningsFile(RowsFile):
    """The rows that landed with a cell left blank or read as `other`, and why."""

    def __init__(self, path: Path, headers: list[str]):
        super().__init__(warnings_path(path), headers, "warning")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)

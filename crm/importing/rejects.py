"""The rejects file: every row that did not land, with its columns, row number and reason."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path


def rejects_path(path: Path) -> Path:
    """`customers.csv` -> `customers.rejects.csv`, beside the input."""
    return path.with_name(f"{path.stem}.rejects.csv")


class RejectsFile:
    """Written only when a row is rejected; a stale one from an earlier run is removed."""

    def __init__(self, path: Path, headers: list[str]):
        self.path = rejects_path(path)
        self.headers = headers
        self.count = 0
        self._file = None
        self._writer = None
        self.path.unlink(missing_ok=True)

    def add(self, row: int, cells: list, reason: str) -> None:
        if self._writer is None:
            # UTF-8 with a BOM: what Excel needs to open Chinese text correctly.
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow([*self.headers, "row", "reason"])
        padded = [_cell(c) for c in cells] + [""] * (len(self.headers) - len(cells))
        self._writer.writerow([*padded, row, reason])
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)

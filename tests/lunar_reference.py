"""The lunar reference table (tests/data/lunar_months.csv) as the tests read it."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import NamedTuple

TABLE = Path(__file__).parent / "data" / "lunar_months.csv"


class Month(NamedTuple):
    year: int
    month: int
    leap: bool
    first_day: date
    days: int


@cache
def months() -> tuple[Month, ...]:
    """Every lunar month of 1900-2099, as two independent calendars agree on it."""
    with TABLE.open(encoding="utf-8") as file:
        return tuple(
            Month(
                int(row["year"]),
                int(row["month"]),
                row["leap"] == "1",
                date.fromisoformat(row["first_day"]),
                int(row["days"]),
            )
            for row in csv.DictReader(file)
        )


def month(year: int, number: int, leap: bool = False) -> Month:
    return next(m for m in months() if (m.year, m.month, m.leap) == (year, number, leap))


def solar(year: int, number: int, day: int, leap: bool = False) -> date:
    """The solar day of a lunar date, by the reference."""
    found = month(year, number, leap)
    if not 1 <= day <= found.days:
        raise ValueError(f"lunar {year}-{number}-{day} (leap {leap}) is not in the reference")
    return found.first_day + timedelta(days=day - 1)


def days() -> list[tuple[date, int, int, int, bool]]:
    """Every day of lunar 1900-2099: (solar day, lunar year, month, day, leap)."""
    return [
        (m.first_day + timedelta(days=d - 1), m.year, m.month, d, m.leap)
        for m in months()
        for d in range(1, m.days + 1)
    ]

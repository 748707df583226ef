"""The Chinese lunar calendar, lunar years 1900-2099, through `zhdate`'s table.

Chosen by comparing every day of the range with tests/data/lunar_months.csv (the
Hong Kong Observatory's tables and the astronomical 寿星天文历 agree on every month there):
- `lunardate`, used before, has three wrong months (lunar 1933/6, 1954/10, 1978/7 start
  a day off), so a customer born in them was greeted a day off every year;
- `borax` and `lunar_python` have lunar 2057/9 a day late (its new moon falls within a
  minute of Beijing midnight);
- `sxtwl` (the 寿星天文历 itself) agrees, but its C code hangs in `getLunarYear` after
  some sequences of calls;
- `zhdate` agrees on every day and is pure Python. Its table is data that does not
  change, so an old release is no risk; only its documented methods are used here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from zhdate import ZhDate

FIRST_YEAR, LAST_YEAR = 1900, 2099
FIRST_DAY = date(1900, 1, 31)  # lunar 1900/1/1
LAST_DAY = date(2100, 2, 8)  # lunar 2099/12/30
RANGE_TEXT = "lunar years 1900-2099 (solar 1900-01-31 to 2100-02-08)"


class OutOfRange(ValueError):
    """A date the supported lunar range does not hold."""


@dataclass(frozen=True)
class LunarDay:
    year: int
    month: int
    day: int
    leap: bool = False


def covers(day: date) -> bool:
    """Whether `day` lies in the supported lunar range."""
    return FIRST_DAY <= day <= LAST_DAY


# Cached: the planner asks for the same days and the same 110 birth years again and
# again, and zhdate walks its table on every call.
@lru_cache(maxsize=1 << 16)
def to_lunar(day: date) -> LunarDay:
    """The lunar date of a solar day; raises OutOfRange outside the supported years."""
    if not covers(day):
        raise OutOfRange(f"{day.isoformat()} is outside the {RANGE_TEXT}")
    found = ZhDate.from_datetime(datetime.combine(day, time()))
    return LunarDay(found.lunar_year, found.lunar_month, found.lunar_day, found.leap_month)


@lru_cache(maxsize=1 << 16)
def to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """The solar day of a lunar date; raises ValueError (OutOfRange) when there is none."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"lunar year {year} is outside the {RANGE_TEXT}")
    if leap and leap_month(year) != month:
        raise ValueError(f"lunar year {year} has no leap month {month}")
    if not 1 <= month <= 12:
        raise ValueError(f"a lunar year has no month {month}")
    length = month_days(year, month, leap)
    if not 1 <= day <= length:
        which = f"{year}/闰{month}" if leap else f"{year}/{month}"
        raise ValueError(f"lunar {which} has {length} days")
    return ZhDate(year, month, day, leap).to_datetime().date()


@lru_cache(maxsize=4096)
def month_days(year: int, month: int, leap: bool = False) -> int:
    """29 or 30: the length of a lunar month (0 when that month does not exist)."""
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12:
        return 0
    if leap and leap_month(year) != month:
        return 0
    return 30 if ZhDate.validate(year, month, 30, leap) else 29


@lru_cache(maxsize=512)
def leap_month(year: int) -> int:
    """The month a lunar year repeats as a leap month, or 0."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return 0
    return next((m for m in range(1, 13) if ZhDate.validate(year, m, 1, True)), 0)

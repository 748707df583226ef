"""Months in the store's time zone, and SQL that turns stored UTC instants into local dates.

Stored times are UTC; a report's day and month are the store's. PostgreSQL converts
with `timezone(zone, instant)`. SQLite knows no zones, so the conversion is written out
as fixed offsets, one per stretch of time between the zone's transitions (daylight
saving) that fall in the report's range: pure SQL, no Python per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, case, cast, func, literal, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from crm.errors import UsageError
from crm.models.base import UTCDateTime

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. 2026-02."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH_PATTERN.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise UsageError(f"{text!r} is not a month like 2026-02 (YYYY-MM)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def previous(self) -> Month:
        return self.shift(-1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.shift(1).first_day - timedelta(days=1)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.last_day.day)]

    def start(self, zone: ZoneInfo) -> datetime:
        """The first instant of the month in `zone`, as UTC."""
        return local_midnight(self.first_day, zone)

    def end(self, zone: ZoneInfo) -> datetime:
        """The first instant after the month in `zone`, as UTC (ranges are half-open)."""
        return local_midnight(self.shift(1).first_day, zone)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


@dataclass(frozen=True)
class Segment:
    """From `start` (UTC, None = always before) the zone is `offset_seconds` ahead of UTC."""

    start: datetime | None
    offset_seconds: int


def offset_segments(zone: ZoneInfo, start: datetime, end: datetime) -> list[Segment]:
    """The zone's UTC offsets between `start` and `end`, with the instants they change.

    A day at a time, then by halves down to the quarter hour where the offset changed
    (every zone in use changes on a quarter hour, and never twice in a day): a year is
    a few hundred look-ups, not 35,000.
    """
    quarter, day = timedelta(minutes=15), timedelta(days=1)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds())

    segments = [Segment(None, offset(start))]
    moment = start.astimezone(UTC).replace(second=0, microsecond=0, minute=0)
    while moment < end:
        following = moment + day
        if offset(following) != segments[-1].offset_seconds:
            low, high = moment, following  # the change is after low, at or before high
            while high - low > quarter:
                middle = low + (high - low) // 2 // quarter * quarter
                if offset(middle) == segments[-1].offset_seconds:
                    low = middle
                else:
                    high = middle
            segments.append(Segment(high, offset(high)))
        moment = following
    return segments


class LocalTime:
    """SQL expressions for the local date and month of stored UTC instants.

    Exact for instants between `start` and `end` (padded by a few weeks); outside that
    range SQLite uses the nearest known offset, which is only ever compared with dates
    far away, so the answer does not change.
    """

    def __init__(self, dialect: str, zone: ZoneInfo, start: datetime, end: datetime):
        self.dialect = dialect
        self.zone = zone
        pad = timedelta(days=45)
        self.segments = offset_segments(zone, start - pad, end + pad)

    def date(self, instant: ColumnElement) -> ColumnElement:
        """The store-local calendar date of `instant` (a DATE in both databases)."""
        if self.dialect == "postgresql":
            return cast(func.timezone(self.zone.key, instant), Date)
        return type_coerce(self._sqlite(instant, "date"), Date)

    def month(self, instant: ColumnElement) -> ColumnElement:
        """The store-local month of `instant` as text, e.g. '2026-02'."""
        if self.dialect == "postgresql":
            return func.to_char(func.timezone(self.zone.key, instant), "YYYY-MM")
        return type_coerce(self._sqlite(instant, "month"), String)

    def _sqlite(self, instant: ColumnElement, unit: str) -> ColumnElement:
        # SQLite rounds fractional seconds to the millisecond, so 23:59:59.9996 would be
        # the next day (and month): whole seconds first ('YYYY-MM-DD HH:MM:SS').
        seconds = func.substr(instant, 1, 19)

        def shifted(offset: int) -> ColumnElement:
            modifier = f"{offset:+d} seconds"
            if unit == "date":
                return func.date(seconds, modifier)
            return func.strftime("%Y-%m", seconds, modifier)

        if len(self.segments) == 1:
            return shifted(self.segments[0].offset_seconds)
        # Newest first: the first change the instant is at or after decides its offset.
        whens = [
            (instant >= literal(s.start, UTCDateTime), shifted(s.offset_seconds))
            for s in reversed(self.segments[1:])
        ]
        return case(*whens, else_=shifted(self.segments[0].offset_seconds))


def hours_between(dialect: str, later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    """`later - earlier` in hours, as a float."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def plus_days(dialect: str, day: ColumnElement, days: int) -> ColumnElement:
    """A DATE expression `days` after `day`."""
    if dialect == "postgresql":
        return day + days
    return type_coerce(func.date(day, f"+{days} days"), Date)

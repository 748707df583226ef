"""What every figure query shares: the store, the month's UTC bounds and SQL helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from crm.report.periods import LocalTime, Month

TREND_MONTHS = 12


@dataclass
class Scope:
    """One store's month, as the queries need it."""

    session: Session
    store_id: int
    zone: ZoneInfo
    month: Month
    as_of: date  # the store-local day the figures are made on
    conversion_window_days: int

    def __post_init__(self) -> None:
        self.dialect = self.session.get_bind().dialect.name
        self.start = self.month.start(self.zone)
        self.end = self.month.end(self.zone)
        self.trend_start = self.month.shift(1 - TREND_MONTHS).start(self.zone)
        self.local = LocalTime(self.dialect, self.zone, self.trend_start, self.end)

    def within(self, instant: ColumnElement) -> ColumnElement:
        """`instant` falls in the month (store time)."""
        return (instant >= self.start) & (instant < self.end)

    def on_days(self, day: ColumnElement) -> ColumnElement:
        """A store-local date column falls in the month."""
        return (day >= self.month.first_day) & (day <= self.month.last_day)

    def before_end(self, instant: ColumnElement) -> ColumnElement:
        return instant.is_not(None) & (instant < self.end)

    def one(self, statement):
        return self.session.execute(statement).one()

    def all(self, statement):
        return self.session.execute(statement).all()


def count_if(condition: ColumnElement) -> ColumnElement:
    """How many rows of the group meet `condition` (0 for an empty group)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def ratio(numerator: int | float | None, denominator: int | float | None) -> float | None:
    """numerator / denominator, or None ("no data") when the denominator is zero."""
    if not denominator or numerator is None:
        return None
    return numerator / denominator

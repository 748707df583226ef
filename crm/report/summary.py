"""The month beside the month before: figures, last month's values and the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from crm.config import Settings
from crm.errors import UsageError
from crm.models import Store
from crm.report.definitions import BY_KEY, DEFINITIONS, Unit
from crm.report.figures import month_figures
from crm.report.formatting import half_up
from crm.report.periods import Month

# Counts that show whether anything at all was logged in a month.
ACTIVITY = (
    "calls_made",
    "callbacks_due",
    "complaints_received",
    "service_visits",
    "reminders_sent",
    "sms_sent",
    "sms_failed",
    "inquiries",
    "opt_outs",
    "referrals",
)


@dataclass
class MonthlyReport:
    store: str
    store_name: str
    month: Month
    as_of: date
    generated_at: datetime
    locale: str
    conversion_window_days: int
    current: dict
    previous: dict | None  # None: nothing was logged the month before
    respond_within_hours: int = 24  # the complaint deadlines, for the words that name them
    resolve_within_days: int = 7

    @property
    def has_data(self) -> bool:
        return has_activity(self.current)

    @property
    def complete(self) -> bool:
        """The month had ended when the figures were made."""
        return self.as_of > self.month.last_day

    def prev(self, key: str):
        return None if self.previous is None else self.previous.get(key)

    def change(self, key: str):
        """This month minus last: percentage points for rates, None when either is missing."""
        return change(BY_KEY[key].unit, self.current.get(key), self.prev(key))

    def as_json(self) -> dict:
        scalars = [d.key for d in DEFINITIONS]
        data = {
            "store": self.store,
            "store_name": self.store_name,
            "as_of": self.as_of.isoformat(),
            "complete": self.complete,
            "generated_at": self.generated_at.isoformat(),
            "conversion_window_days": self.conversion_window_days,
            **self.current,
            "satisfaction_rate_prev": self.prev("satisfaction_rate"),
            "satisfaction_change_pp": self.change("satisfaction_rate"),
            "previous": None
            if self.previous is None
            else {"month": str(self.month.previous())} | {k: self.prev(k) for k in scalars},
            "change": {k: self.change(k) for k in scalars},
        }
        return data


def has_activity(figures: dict) -> bool:
    return any(figures.get(key) for key in ACTIVITY)


def change(unit: Unit, current, previous):
    if current is None or previous is None:
        return None
    if unit == Unit.RATE:
        # From the percentages as printed, so "86.7%, up 1.7 points from 85.0%" adds up.
        return half_up(half_up(current * 100, 1) - half_up(previous * 100, 1), 1)
    if unit == Unit.COUNT:
        return current - previous
    return half_up(current - previous, 2)


def build_report(
    session: Session, store: Store, month: Month, settings: Settings, now: datetime
) -> MonthlyReport:
    """Figures for `month` and the month before, as of `now` (store time decides the month)."""
    as_of = now.astimezone(ZoneInfo(store.timezone)).date()
    if month.first_day > as_of:
        raise UsageError(
            f"{month} has not started yet in store {store.code} (today is {as_of}); "
            f"ask for {Month.of(as_of).previous()} or earlier"
        )
    window = settings.report.conversion_window_days
    current = month_figures(session, store, month, as_of, window)
    previous = month_figures(session, store, month.previous(), as_of, window, with_series=False)
    return MonthlyReport(
        store=store.code,
        store_name=store.name,
        month=month,
        as_of=as_of,
        generated_at=now,
        locale=settings.store.locale,
        conversion_window_days=window,
        current=current,
        previous=previous if has_activity(previous) else None,
        respond_within_hours=settings.complaints.respond_within_hours,
        resolve_within_days=settings.complaints.resolve_within_days,
    )

"""Every figure of one store's month, aggregated in the database (GROUP BY, never a row loop).

`month_figures` returns plain data: counts as int, rates as fractions 0–1, None where a
figure has no data (a ratio with a zero denominator, a sum with nothing to add).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from crm.models import Store
from crm.report.figures import calls, complaints, outreach, service
from crm.report.figures.scope import Scope
from crm.report.periods import Month


def month_figures(
    session: Session,
    store: Store,
    month: Month,
    as_of: date,
    conversion_window_days: int = 30,
    with_series: bool = True,
) -> dict:
    """The month's figures for `store`; `as_of` is the store-local day they are made on."""
    scope = Scope(session, store.id, ZoneInfo(store.timezone), month, as_of, conversion_window_days)
    figures: dict = {"month": str(month)}
    figures |= calls.calls(scope)
    figures |= calls.callbacks(scope)
    figures |= complaints.complaints(scope)
    figures |= service.visits(scope)
    figures |= service.reminders(scope)
    figures |= outreach.messages(scope)
    figures |= outreach.customers(scope)
    if with_series:
        figures["per_agent"] = calls.per_agent(scope)
        figures["top_issues"] = calls.top_issues(scope)
        figures["satisfaction_trend"] = calls.satisfaction_trend(scope)
    return figures

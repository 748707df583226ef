"""The manager's dashboard: today per agent, the month so far, complaints, SMS, job health.

The month's figures are the month-end summary's own (crm.report.figures), made as of
today, so the dashboard and `crm report monthly` for this month give the same numbers.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from crm.actions.context import StoreContext, every_store
from crm.app import App


def dashboard(ctx: StoreContext, all_stores_health: bool = False) -> dict:
    """The store's dashboard; with `all_stores_health` (an admin), every store's job health."""
    from crm.overview import desk
    from crm.report.definitions import Unit
    from crm.report.figures import calls, outreach
    from crm.report.figures.scope import Scope
    from crm.report.periods import Month
    from crm.report.summary import change

    month = Month.of(ctx.today)
    window = ctx.settings.report.conversion_window_days
    day_start = datetime.combine(ctx.today, time(), ctx.zone)
    with ctx.session() as session:
        this = Scope(session, ctx.store_id, ctx.zone, month, ctx.today, window)
        last = Scope(session, ctx.store_id, ctx.zone, month.previous(), ctx.today, window)
        callbacks = calls.callbacks(this)
        satisfaction = calls.month_calls(this)
        before = calls.month_calls(last)
        sms = outreach.messages(this)
        data = {
            "store": ctx.code,
            "store_name": ctx.name,
            "today": ctx.today.isoformat(),
            "month": str(month),
            "previous_month": str(month.previous()),
            "agents": desk.agents_today(session, ctx.store_id, ctx.today, day_start),
            "callbacks": callbacks["callbacks_by_kind"],
            "callback_on_time_rate": callbacks["callback_on_time_rate"],
            "satisfaction": {
                "rate": satisfaction["satisfaction_rate"],
                "rated": satisfaction["rated"],
                "previous_rate": before["satisfaction_rate"],
                "change_pp": change(
                    Unit.RATE, satisfaction["satisfaction_rate"], before["satisfaction_rate"]
                ),
            },
            "complaints": desk.open_complaints(session, ctx.store_id, ctx.zone, ctx.now),
            "sms": {
                "queued": desk.sms_queued(session, ctx.store_id),
                "sent": sms["sms_sent"],
                "delivered": sms["sms_delivered"],
                "failed": sms["sms_failed"],
                "cost": sms["sms_cost"],
            },
            "tomorrow": desk.tomorrow(session, ctx.store_id, ctx.today + timedelta(days=1)),
        }
    for row in data["callbacks"] + data["tomorrow"]["kinds"]:
        row["label"] = kind_name(row["kind"], ctx.locale)
    data["health"] = job_health(ctx.app, ctx.now, None if all_stores_health else ctx.store_id)
    return data


def job_health(app: App, now: datetime | None = None, store_id: int | None = None) -> list[dict]:
    """When each store (or one) was last planned, its next planning, and what is late."""
    from crm.actions.planning import PLANNING_TIME
    from crm.clock import utcnow
    from crm.overview.health import StoreClock
    from crm.overview.health import job_health as health

    now = now or utcnow()
    stores = [
        StoreClock(ctx.store_id, ctx.code, ctx.name, ctx.zone, ctx.today)
        for ctx in every_store(app, now)
        if store_id is None or ctx.store_id == store_id
    ]
    with app.session() as session:
        return health(session, stores, now, PLANNING_TIME, app.settings.sms.window)


def kind_name(kind: str, locale: str) -> str:
    """A task or message kind as the report names it, else as the call desk does."""
    from crm.calls.talking import label
    from crm.report.definitions import name

    said = name(kind, locale)
    return said if said != kind else label(kind, locale)


def dispatch_ran(app: App) -> None:
    """Note that SMS dispatch just ran to its end (the dashboard warns when it stops)."""
    from crm.clock import utcnow
    from crm.overview.health import DISPATCH, record_run

    with app.session() as session:
        record_run(session, DISPATCH, utcnow())

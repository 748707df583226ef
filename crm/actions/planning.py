"""Planning: a store's day of calls and messages, the picture of the day, campaigns."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import OperationalError

from crm.actions.context import StoreContext, every_store, open_store
from crm.app import App

DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
# Each store's day is planned at 06:30 of its own clock, before its desk opens.
PLANNING_TIME = time(6, 30)


def plan(
    app: App,
    *,
    day: date | None = None,
    dry_run: bool = False,
    store_code: str | None = None,
    now: datetime | None = None,
) -> list:
    """Plan `day` for one store or every store; by default each store's own today."""
    contexts = [open_store(app, store_code, now)] if store_code else every_store(app, now)
    return [plan_store(ctx, day=day, dry_run=dry_run) for ctx in contexts]


def is_due(ctx: StoreContext) -> bool:
    """Whether the store's clock has passed 06:30 and no run has planned its today since.

    A run before 06:30 (a scheduler started at night) does not count: what came in
    overnight must reach the morning's list.
    """
    from sqlalchemy import func, select

    from crm.models import PlanningRun

    half_past_six = datetime.combine(ctx.today, PLANNING_TIME, ctx.zone)
    if ctx.now < half_past_six:
        return False
    with ctx.session() as session:
        runs = session.execute(
            select(func.count())
            .select_from(PlanningRun)
            .where(
                PlanningRun.store_id == ctx.store_id,
                PlanningRun.day == ctx.today,
                PlanningRun.finished_at.is_not(None),
                PlanningRun.started_at >= half_past_six,
            )
        ).scalar_one()
    return runs == 0


def plan_store(ctx: StoreContext, day: date | None = None, dry_run: bool = False):
    """Plan one store's `day` (default its today; tomorrow for a dry run), then its desk work.

    Planning twice, or from two processes at once, creates nothing new: the keys are unique.
    """
    from crm.followup.planner import plan_day

    target = day or ctx.today + timedelta(days=int(dry_run))
    attempts = 0
    with ctx.session() as session:
        while True:
            attempts += 1
            try:
                store = ctx.store(session)
                result = plan_day(session, store, target, ctx.settings, ctx.now, dry_run=dry_run)
                if not dry_run:
                    _desk_work(session, ctx, store, result)
                return result
            except OperationalError as exc:
                # Two planners on PostgreSQL can deadlock on each other's new keys; one
                # is chosen to fail, and planning again is safe (the keys are unique).
                if getattr(exc.orig, "sqlstate", None) != DEADLOCK or attempts == 3:
                    raise
                session.rollback()


def _desk_work(session, ctx: StoreContext, store, result) -> None:
    """After planning: each open complaint's next progress call, then an agent for every call."""
    from crm.calls import assignment, complaints

    created = complaints.ensure_followups(session, ctx.settings, store, ctx.now)
    if created:
        result.created["complaint_followup"] += created
    session.commit()
    result.assigned = assignment.assign(session, store.id, ctx.now).assigned


def today(ctx: StoreContext, day: date | None = None) -> dict:
    """The picture of the store's day: calls due and overdue, SMS queued, its size."""
    from crm.today import picture

    with ctx.session() as session:
        return picture(session, ctx.store(session), day or ctx.today)


def planning_status(app: App, now: datetime | None = None) -> list[dict]:
    """When planning last ran for each store; a warning when a store's today is not planned
    by 07:00 its time."""
    from crm.followup.status import planning_status as status

    clocks = {ctx.store_id: ctx.now.astimezone(ctx.zone) for ctx in every_store(app, now)}
    with app.session() as session:
        return status(session, lambda store: clocks[store.id])


def launch_campaign(
    ctx: StoreContext,
    name: str,
    template: str,
    *,
    models: tuple[str, ...] = (),
    min_age_months: int | None = None,
    max_age_months: int | None = None,
    no_visit_since: date | None = None,
    visited_since: date | None = None,
    consent: str = "any",
    day: date | None = None,
    with_calls: bool = False,
    call_days: int = 7,
    dry_run: bool = False,
):
    """SMS (and invitation calls) to a segment of the store's customers, once per name.

    The segment: owners of `models`, of cars delivered between `min_age_months` and
    `max_age_months` ago, with no visit since or a visit since a day, with a consent.
    """
    from crm.followup.campaigns import Segment, launch

    segment = Segment(
        tuple(models), min_age_months, max_age_months, no_visit_since, visited_since, consent
    )

    with ctx.session() as session:
        return launch(
            session,
            ctx.store(session),
            name,
            template,
            segment,
            ctx.settings,
            day or ctx.today,
            ctx.now,
            with_calls=with_calls,
            call_days=call_days,
            dry_run=dry_run,
        )


def list_campaigns(ctx: StoreContext) -> list[dict]:
    from crm.followup.campaigns import list_campaigns as listed

    with ctx.session() as session:
        return listed(session, ctx.store(session))

"""Planning: a store's day of calls and messages, the picture of the day, campaigns."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import OperationalError

from crm.actions.context import StoreContext, every_store, open_store
from crm.app import App
from crm.errors import UsageError

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
    from crm.calls.assignment import NewCalls
    from crm.followup.planner import plan_day

    target = day or ctx.today + timedelta(days=int(dry_run))
    attempts = 0
    with ctx.session() as session, _collector_paused():
        while True:
            attempts += 1
            try:
                store = ctx.store(session)
                # Each new call is written with its agent (none on a dry run: nothing stays).
                calls = None if dry_run else NewCalls(session, store.id, ctx.now)
                result = plan_day(
                    session, store, target, ctx.settings, ctx.now, dry_run=dry_run, calls=calls
                )
                if not dry_run:
                    result.assigned = calls.assigned
                    _desk_work(session, ctx, store, result)
                return result
            except OperationalError as exc:
                # Two planners on PostgreSQL can deadlock on each other's new keys; one
                # is chosen to fail, and planning again is safe (the keys are unique).
                if getattr(exc.orig, "sqlstate", None) != DEADLOCK or attempts == 3:
                    raise
                session.rollback()


@contextmanager
def _collector_paused():
    """Python's cycle collector paused while a store is planned.

    A first run makes hundreds of thousands of short-lived rows, tuples and dicts that
    form no cycles; the collector walked them over and over, a sixth of the run's CPU.
    Reference counting frees them as before; what cycles remain wait for the next pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _desk_work(session, ctx: StoreContext, store, result) -> None:
    """After planning: each open complaint's next progress call, then an agent for every call."""
    from crm.calls import assignment, complaints

    created = complaints.ensure_followups(session, ctx.settings, store, ctx.now)
    if created:
        result.created["complaint_followup"] += created
    session.commit()
    # New calls were written with their agents; complaint follow-ups, and the calls of a
    # store that had no active agent while it was planned, get theirs here.
    result.assigned += assignment.assign(session, store.id, ctx.now).assigned
    session.commit()


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
    when: str | None = None,
    where: str | None = None,
    offer: str | None = None,
):
    """SMS (and invitation calls) to a segment of the store's customers, once per name.

    The segment: owners of `models`, of cars delivered between `min_age_months` and
    `max_age_months` ago, with no visit since or a visit since a day, with a consent.
    The invitation calls say the campaign's `when`, `where` and `offer`.
    """
    from crm.calls import assignment
    from crm.followup.campaigns import launch

    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise UsageError(
            f"a campaign needs a name of 1-{NAME_MAX} characters, e.g. 秋季服务节", field="name"
        )
    segment = _segment(
        models, min_age_months, max_age_months, no_visit_since, visited_since, consent
    )
    with ctx.session() as session:
        result = launch(
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
            actor=ctx.actor,
            invitation=_invitation(when=when, where=where, offer=offer),
        )
        if not dry_run:
            if with_calls:  # on the agents' lists today, not at the next planning
                assignment.assign(session, ctx.store_id, ctx.now)
            session.commit()
        return result


NAME_MAX = 60
INVITATION_MAX = 100  # a date, a place or an offer, read out on a call


def _invitation(**given: str | None) -> dict:
    """The campaign's date, place and offer as given (blank ones left out), each checked."""
    invitation = {}
    for field, value in given.items():
        text = (value or "").strip()
        if len(text) > INVITATION_MAX:
            raise UsageError(
                f"the campaign's {field} is longer than {INVITATION_MAX} characters", field=field
            )
        if text:
            invitation[field] = text
    return invitation  # a campaign's name is shown in lists and the report; it is a title


def list_campaigns(ctx: StoreContext) -> list[dict]:
    from crm.followup.campaigns import list_campaigns as listed

    with ctx.session() as session:
        return listed(session, ctx.store(session))


def _segment(
    models=(),
    min_age_months: int | None = None,
    max_age_months: int | None = None,
    no_visit_since: date | None = None,
    visited_since: date | None = None,
    consent: str = "any",
):
    """The segment, or a UsageError naming the option that cannot hold."""
    from crm.followup.campaigns import Segment

    if consent not in ("any", "sms", "marketing"):
        raise UsageError(f"consent must be any, sms or marketing, not {consent!r}", field="consent")
    for field, months in (("min_age_months", min_age_months), ("max_age_months", max_age_months)):
        if months is not None and not 0 <= months <= 1200:
            raise UsageError(f"{field} must be 0-1200 months", field=field)
    if None not in (min_age_months, max_age_months) and min_age_months > max_age_months:
        raise UsageError(
            f"no car is at least {min_age_months} and at most {max_age_months} months old; "
            "swap the two",
            field="max_age_months",
        )
    return Segment(
        tuple(models), min_age_months, max_age_months, no_visit_since, visited_since, consent
    )


def campaign_choices(ctx: StoreContext) -> dict:
    """What a campaign may be built from: the campaign templates and the store's car models."""
    from crm.followup.campaigns import campaign_templates, store_models

    with ctx.session() as session:
        models = store_models(session, ctx.store_id)
    return {"templates": campaign_templates(ctx.settings), "models": models}


def campaign_audience(ctx: StoreContext, samples: int = 5, **segment) -> dict:
    """How many customers the segment holds today, and the first few of them."""
    from sqlalchemy import func, select

    from crm.followup.campaigns import audience
    from crm.followup.campaigns import samples as first

    chosen = _segment(**segment)
    query = audience(ctx.store_id, chosen, ctx.today).subquery()
    with ctx.session() as session:
        count = session.execute(select(func.count()).select_from(query)).scalar_one()
        shown = first(session, ctx.store_id, chosen, ctx.today, samples)
    return {"audience": count, "samples": shown}


def campaign_text(
    ctx: StoreContext, template: str, name: str, customer_id: int | None, audience: int
) -> dict:
    """The text a customer of the segment would get (sample values without one), measured
    and judged as `crm sms lint` judges it, with what the campaign would cost."""
    from crm.followup.campaigns import campaign_templates
    from crm.sms import compose
    from crm.sms.lint import sample_contexts, text_problems
    from crm.sms.segments import count
    from crm.sms.view import preview, price_per_segment

    if template not in campaign_templates(ctx.settings):
        raise UsageError(f"no campaign template {template!r}", field="template")
    with ctx.session() as session:
        store = ctx.store(session)
        if customer_id is not None:
            body = preview(
                session, ctx.settings, store, template, str(customer_id), ctx.today, name
            )["body"]
        else:
            sample = sample_contexts(template, ctx.locale)[0] | {"campaign": name}
            body = compose.body(template, store.name, ctx.settings, sample)
        price = price_per_segment(session, store, ctx.now - timedelta(days=PRICED_DAYS))
    measured = count(body)
    cost = None
    if price is not None:
        per_segment, unit = price
        amount = round(per_segment * measured.segments * audience, 2)
        cost = {"amount": amount, "unit": unit, "per_segment": round(per_segment, 4)}
    return {
        "body": body,
        "characters": measured.characters,
        "encoding": measured.encoding,
        "segments": measured.segments,
        "per_segment": measured.per_segment,
        "problems": text_problems([body], ctx.settings),
        "cost": cost,
    }


# The cost estimate prices a segment as the provider billed the store's messages lately.
PRICED_DAYS = 90

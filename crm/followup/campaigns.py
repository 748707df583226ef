"""Campaigns (服务节, 爱车养护课堂): an SMS, and optionally a call, to a chosen segment."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from jinja2 import UndefinedError
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from crm.access.audit import record
from crm.config import Settings
from crm.errors import UsageError
from crm.followup import rules
from crm.followup.writes import ContactWriter
from crm.models import (
    Campaign,
    Customer,
    FollowupTask,
    ServiceVisit,
    SmsMessage,
    Store,
    Vehicle,
)
from crm.sms import compose, templates
from crm.vocabulary.calendars import add_months

CHUNK = 5000


@dataclass(frozen=True)
class Segment:
    """Who a campaign reaches; every criterion given must hold (for one of their cars)."""

    models: tuple[str, ...] = ()
    min_age_months: int | None = None  # cars delivered at least this long ago
    max_age_months: int | None = None
    no_visit_since: date | None = None  # lapsed: no visit on or after this day
    visited_since: date | None = None
    consent: str = "any"  # any | sms | marketing


@dataclass
class CampaignResult:
    campaign_id: int | None
    name: str
    day: date
    audience: int = 0
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    dry_run: bool = False

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign_id,
            "name": self.name,
            "date": self.day.isoformat(),
            "audience": self.audience,
            "created": dict(sorted(self.created.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "dry_run": self.dry_run,
        }


def audience(store_id: int, segment: Segment, day: date):
    """A query of the customer ids in the segment (set-wise, one row per customer)."""
    query = (
        select(Customer.id)
        .join(Vehicle, Vehicle.owner_id == Customer.id)
        .where(Customer.store_id == store_id)
    )
    if segment.models:
        query = query.where(Vehicle.model.in_(segment.models))
    if segment.min_age_months is not None:
        query = query.where(Vehicle.delivery_date <= add_months(day, -segment.min_age_months))
    if segment.max_age_months is not None:
        query = query.where(Vehicle.delivery_date >= add_months(day, -segment.max_age_months))
    if segment.no_visit_since is not None:
        query = query.where(
            ~exists().where(
                ServiceVisit.vehicle_id == Vehicle.id,
                ServiceVisit.visit_date >= segment.no_visit_since,
            )
        )
    if segment.visited_since is not None:
        query = query.where(
            exists().where(
                ServiceVisit.vehicle_id == Vehicle.id,
                ServiceVisit.visit_date >= segment.visited_since,
            )
        )
    if segment.consent == "sms":
        query = query.where(Customer.sms_consent.is_(True))
    elif segment.consent == "marketing":
        query = query.where(Customer.marketing_consent.is_(True))
    return query.distinct().order_by(Customer.id)


def launch(
    session: Session,
    store: Store,
    name: str,
    template: str,
    segment: Segment,
    settings: Settings,
    day: date,
    now: datetime,
    *,
    with_calls: bool = False,
    call_days: int = 7,
    dry_run: bool = False,
    actor: str = "system",
    invitation: dict | None = None,
) -> CampaignResult:
    """Queue the campaign SMS (and calls) for the segment; a name launches once per store.

    The launch is kept in the audit trail, in the same transaction as what it queued;
    the caller commits (after giving the new calls their agents).
    """
    _check_template(template, settings)
    campaign = Campaign(
        store_id=store.id,
        name=name,
        template=template,
        segment=_json(segment),
        with_calls=with_calls,
        launched_on=day,
        launched_at=now,
    )
    session.add(campaign)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise UsageError(
            f"campaign {name!r} was already launched; choose another name", field="name"
        ) from None
    result = CampaignResult(campaign.id, name, day, dry_run=dry_run)
    result.audience = session.execute(
        select(func.count()).select_from(audience(store.id, segment, day).subquery())
    ).scalar_one()
    writer = ContactWriter(session, store, settings, day, ZoneInfo(store.timezone), now, result)
    ids = session.execute(audience(store.id, segment, day)).scalars().all()
    iterator = iter(ids)
    while chunk := list(islice(iterator, CHUNK)):
        batch = []
        for customer_id in chunk:
            batch.append(_occurrence(rules.Kind.CAMPAIGN_SMS, customer_id, campaign, day, day))
            if with_calls:
                due = day + timedelta(days=call_days)
                call = _occurrence(rules.Kind.CAMPAIGN_CALL, customer_id, campaign, day, due)
                call.details.update(invitation or {})  # when, where, offer: for what to say
                batch.append(call)
        writer.write(batch)
    if dry_run:
        session.rollback()
        return result
    record(
        session,
        store_id=store.id,
        actor=actor,
        action="campaign",
        at=now,
        subject=name,
        detail={
            "template": template,
            "segment": campaign.segment,
            **({"invitation": invitation} if invitation else {}),
            **result.as_json(),
        },
    )
    return result


def _check_template(template: str, settings: Settings) -> None:
    """Refuse a template that is missing or needs more than a campaign provides."""
    known = templates.known(settings.store.locale, settings.sms.templates_dir)
    if template not in known:
        raise UsageError(
            f"no SMS template {template!r}; known: {', '.join(known)}", field="template"
        )
    try:
        compose.body(
            template, settings.store.name, settings, {"customer": "王先生", "campaign": "服务节"}
        )
    except UndefinedError as exc:
        raise UsageError(
            f"template {template!r} is not a campaign template ({exc})", field="template"
        ) from None


def _occurrence(kind, customer_id: int, campaign: Campaign, opens: date, due: date):
    return rules.Occurrence(
        kind,
        customer_id,
        f"customer:{customer_id}",
        f"campaign:{campaign.id}",
        opens,
        due,
        f"campaign {campaign.name} launched {campaign.launched_on}",
        details={"template": campaign.template, "campaign": campaign.name},
    )


def _json(segment: Segment) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
        for k, v in asdict(segment).items()
        if v not in (None, (), "any")
    }


def list_campaigns(session: Session, store: Store) -> list[dict]:
    """Each campaign with how many messages and calls it queued."""
    counts: dict[tuple[str, str], int] = {}
    for table in (SmsMessage, FollowupTask):
        for cycle, n in session.execute(
            select(table.cycle, func.count())
            .where(table.store_id == store.id, table.cycle.like("campaign:%"))
            .group_by(table.cycle)
        ):
            counts[(table.__tablename__, cycle)] = n
    campaigns = session.execute(
        select(Campaign).where(Campaign.store_id == store.id).order_by(Campaign.id)
    ).scalars()
    return [
        {
            "id": c.id,
            "name": c.name,
            "template": c.template,
            "segment": c.segment,
            "launched_on": c.launched_on.isoformat(),
            "sms": counts.get(("sms_message", f"campaign:{c.id}"), 0),
            "calls": counts.get(("followup_task", f"campaign:{c.id}"), 0),
        }
        for c in campaigns
    ]


def campaign_templates(settings: Settings) -> list[str]:
    """The templates a campaign may send: every one that is not a planned kind's own."""
    known = templates.known(settings.store.locale, settings.sms.templates_dir)
    return [name for name in known if name not in templates.KINDS]


def store_models(session: Session, store_id: int) -> list[str]:
    """The car models the store's customers own, for choosing a segment."""
    query = select(Vehicle.model).where(Vehicle.store_id == store_id).distinct()
    return sorted(session.execute(query).scalars())


def samples(session: Session, store_id: int, segment: Segment, day: date, n: int = 5) -> list:
    """The first `n` customers of the segment, each with their newest car, to check it by."""
    ids = session.execute(audience(store_id, segment, day).limit(n)).scalars().all()
    customers = {
        c.id: c for c in session.execute(select(Customer).where(Customer.id.in_(ids))).scalars()
    }
    cars: dict[int, Vehicle] = {}
    for car in session.execute(
        select(Vehicle).where(Vehicle.owner_id.in_(ids)).order_by(Vehicle.delivery_date)
    ).scalars():
        cars[car.owner_id] = car  # the newest last
    return [
        {
            "customer_id": i,
            "name": customers[i].name,
            "phone": customers[i].phone,
            "sms_consent": customers[i].sms_consent,
            "marketing_consent": customers[i].marketing_consent,
            "model": cars[i].model if i in cars else None,
            "delivery_date": cars[i].delivery_date.isoformat() if i in cars else None,
        }
        for i in ids
    ]


def end_campaign_calls(session: Session, customer_id: int, now: datetime) -> int:
    """Cancel a customer's open campaign calls (a complaint came in); returns how many."""
    from sqlalchemy import update

    from crm.models import FollowupTask, TaskStatus

    return session.execute(
        update(FollowupTask)
        .where(
            FollowupTask.customer_id == customer_id,
            FollowupTask.kind == rules.Kind.CAMPAIGN_CALL,
            FollowupTask.status == TaskStatus.OPEN,
        )
        .values(status=TaskStatus.CANCELLED, closed_at=now, updated_at=now)
    ).rowcount

"""Building an outbox row: the kind's context, its text rendered and measured, its key and expiry.

The one place a message is made, whoever owes it: the planner (reminders, greetings,
campaigns) and the call desk (the reminder after unanswered calls). Render, then send:
the text is fixed here, so the outbox shows exactly what the customer will read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.config import Settings
from crm.models import SmsStatus
from crm.sms import approved, segments, templates
from crm.sms.providers import template_rules
from crm.sms.render import render, salutation


@dataclass(frozen=True)
class Owed:
    """One message owed to a customer: `(kind, subject, cycle)` names it for all time."""

    kind: str
    subject: str
    cycle: str
    reason: str
    planned_for: date  # the day it is owed from
    due_date: date
    vehicle_id: int | None = None
    task_id: int | None = None  # the call it stands in for
    template: str | None = None  # a campaign's own; else the kind's
    values: dict = field(default_factory=dict)  # the kind's own variables (years, holiday …)


def context(kind: str, locale: str, customer, vehicle, due_date: date, values: dict) -> dict:
    """What a template of `kind` is given besides `store`: its own variables and no others."""
    everything = {
        "customer": salutation(customer.name, customer.gender, locale),
        "vehicle_model": vehicle.model if vehicle else "",
        # A car without a plate yet: the template leaves out the brackets.
        "plate": (vehicle.plate or "") if vehicle else "",
        "due_date": due_date.isoformat(),
        **values,
    }
    # A variable the kind should have and lacks stays missing: render names it.
    return {name: everything[name] for name in templates.variables(kind) if name in everything}


def body(kind: str, store_name: str, settings: Settings, context: dict) -> str:
    """The full text of one message of `kind` (a template that cannot render, or that its
    provider would refuse, is one sentence)."""
    text = render(
        kind,
        templates.category(kind),
        settings.store.locale,
        store_name,
        settings.sms.opt_out_line,
        context,
        overrides=settings.sms.templates_dir,
        bracket=not settings.sms.templated,
    )
    if settings.sms.templated:
        approved.check_message(kind, text, settings.sms, template_rules(settings.sms))
    return text


def message_row(
    owed: Owed,
    *,
    store,
    customer,
    vehicle,
    settings: Settings,
    today: date,
    zone: ZoneInfo,
    now: datetime,
) -> dict:
    """The outbox row for `owed`, queued now, ready for an exactly-once insert."""
    template = owed.template or owed.kind
    kind = templates.kind(owed.kind)
    values = context(template, settings.store.locale, customer, vehicle, owed.due_date, owed.values)
    text = body(template, store.name, settings, values)
    expires = None
    if kind.one_day:
        # A greeting belongs to its day: the outbox expires it at the day's end.
        day = max(owed.planned_for, today) + timedelta(days=1)
        expires = datetime.combine(day, time(0), zone)
    return {
        "store_id": store.id,
        "customer_id": customer.id,
        "vehicle_id": owed.vehicle_id,
        "task_id": owed.task_id,
        "kind": owed.kind,
        "category": str(kind.category),
        "subject": owed.subject,
        "cycle": owed.cycle,
        "to_phone": customer.phone,
        "body": text,
        "segments": segments.count(text).segments,
        "reason": owed.reason,
        "planned_for": owed.planned_for,
        "status": SmsStatus.QUEUED.value,
        "expires_at": expires,
        "send_attempts": 0,
        "queued_at": now,
        "updated_at": now,
    }


def own_wording(kind: str, settings: Settings) -> bool:
    """Whether the store's own words (its template file, or a provider's approved text)
    send `kind`: branches the product's template has may be missing from them."""
    from pathlib import Path

    own = settings.sms.templates_dir
    return settings.sms.templated or bool(own and (Path(own) / f"{kind}.txt").is_file())

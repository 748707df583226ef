"""What the store sees of its SMS: the outbox listed, and one customer's message previewed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from crm.config import Settings
from crm.errors import NotFound, UsageError
from crm.models import Customer, SmsMessage, SmsStatus, Store, Vehicle
from crm.sms import compose, policy, segments, templates
from crm.vocabulary.calendars import HOLIDAYS, add_months
from crm.vocabulary.kinds import Kind

MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL

MESSAGES = SmsMessage.__table__


def list_outbox(
    session: Session,
    settings: Settings,
    status: str | None,
    store: Store,
    limit: int,
    *,
    offset: int = 0,
    **filters,
) -> list[dict]:
    """The newest messages first, as the CLI contract names their fields (`filters`: see
    `_outbox_query`)."""
    zone = policy.ZoneInfo(store.timezone)
    query = (
        _outbox_query(store, zone, status=status, **filters)
        .order_by(MESSAGES.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_listed(row, zone, settings) for row in session.execute(query)]


def count_outbox(session: Session, store: Store, status: str | None = None, **filters) -> int:
    """How many messages `list_outbox` would page through with the same filters."""
    zone = policy.ZoneInfo(store.timezone)
    query = _outbox_query(store, zone, status=status, **filters).subquery()
    return session.execute(select(func.count()).select_from(query)).scalar_one()


def _outbox_query(
    store: Store,
    zone,
    *,
    status: str | None = None,
    kind: str | None = None,
    day: date | None = None,
    phone: str | None = None,
):
    """The store's messages, with their customer's name; `day` is the store-local day queued."""
    customer = Customer.__table__.c
    query = (
        select(MESSAGES, customer.name.label("customer_name"))
        .join(Customer.__table__, customer.id == MESSAGES.c.customer_id)
        .where(MESSAGES.c.store_id == store.id)
    )
    if status:
        query = query.where(MESSAGES.c.status == status)
    if kind:
        query = query.where(MESSAGES.c.kind == kind)
    if phone:
        query = query.where(MESSAGES.c.to_phone == phone)
    if day is not None:
        start = datetime.combine(day, time(), zone)
        query = query.where(
            MESSAGES.c.queued_at >= start, MESSAGES.c.queued_at < start + timedelta(days=1)
        )
    return query


def _listed(row, zone, settings: Settings) -> dict:
    after = row.not_before or row.queued_at
    if row.status == SmsStatus.QUEUED:
        after = policy.next_opening(after, zone, settings.sms.window)
    return {
        "message_id": row.id,
        "kind": row.kind,
        "category": row.category,
        "customer": row.customer_name,
        "customer_id": row.customer_id,
        "phone": row.to_phone,
        "status": row.status,
        "send_after": after.astimezone(zone).isoformat(timespec="seconds"),
        "expires_at": local(row.expires_at, zone),
        "body": row.body,
        "segments": row.segments or segments.count(row.body).segments,
        "provider_id": row.provider_sid,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "price": row.price,
        "price_unit": row.price_unit,
        "attempts": row.send_attempts,
        "sent_at": local(row.sent_at, zone),
        "delivered_at": local(row.delivered_at, zone),
    }


def message_detail(session: Session, settings: Settings, store: Store, message_id: int) -> dict:
    """One message of the store with everything the outbox knows of it; another store's
    message does not exist here."""
    zone = policy.ZoneInfo(store.timezone)
    query = _outbox_query(store, zone).where(MESSAGES.c.id == message_id)
    row = session.execute(query).first() if 0 < message_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no message {message_id} in store {store.code}", field="message")
    return {
        **_listed(row, zone, settings),
        "reason": row.reason,
        "planned_for": row.planned_for.isoformat() if row.planned_for else None,
        "task_id": row.task_id,
        "queued_at": local(row.queued_at, zone),
        "claimed_at": local(row.claimed_at, zone),
        "updated_at": local(row.updated_at, zone),
        "characters": len(row.body),
        "encoding": segments.count(row.body).encoding,
    }


def price_per_segment(session: Session, store: Store, since: datetime) -> tuple[float, str] | None:
    """What one segment cost the store on average since `since`, from the prices providers
    reported; None before any provider reported one (the console backend never does)."""
    m = MESSAGES.c
    priced = (m.store_id == store.id, m.price.is_not(None), m.segments > 0, m.queued_at >= since)
    row = session.execute(
        select(func.sum(func.abs(m.price)), func.sum(m.segments), func.max(m.price_unit)).where(
            *priced
        )
    ).first()
    if row is None or not row[1] or row[0] is None:
        return None
    return float(row[0]) / row[1], row[2] or ""


def opt_outs(session: Session, store: Store, limit: int, offset: int = 0) -> tuple[list, int]:
    """The store's customers who refuse SMS, newest refusal first, and how many in all."""
    zone = policy.ZoneInfo(store.timezone)
    refused = (Customer.store_id == store.id, Customer.sms_consent.is_(False))
    total = session.execute(select(func.count()).where(*refused)).scalar_one()
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.phone,
            Customer.sms_consent_at,
            Customer.sms_consent_source,
        )
        .where(*refused)
        .order_by(Customer.sms_consent_at.desc().nulls_last(), Customer.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        {
            "customer_id": row.id,
            "customer": row.name,
            "phone": row.phone,
            "at": local(row.sms_consent_at, zone),
            "source": row.sms_consent_source,
        }
        for row in rows
    ], total


def local(moment: datetime | None, zone) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def find_customer(session: Session, store: Store, ref: str) -> Customer:
    """A customer by the store's customer code, or by the database id."""
    customer = session.execute(
        select(Customer).where(Customer.store_id == store.id, Customer.customer_code == ref)
    ).scalar_one_or_none()
    if customer is None and ref.isdigit() and int(ref) <= MAX_ID:
        customer = session.get(Customer, int(ref))
        if customer is not None and customer.store_id != store.id:
            customer = None
    if customer is None:
        raise NotFound(
            f"no customer {ref!r} in store {store.code}; use a customer code or id",
            field="customer",
        )
    return customer


def preview(
    session: Session,
    settings: Settings,
    store: Store,
    kind: str,
    ref: str,
    today: date,
    campaign: str | None = None,
    reminder: str = "maintenance",
) -> dict:
    """The exact text the customer would get: the queued message itself, else a fresh render."""
    known = templates.known(settings.store.locale, settings.sms.templates_dir)
    if kind not in known:
        raise UsageError(f"no SMS template {kind!r}; known: {', '.join(known)}", field="kind")
    customer = find_customer(session, store, ref)
    queued = (
        session.execute(
            select(SmsMessage)
            .where(
                SmsMessage.customer_id == customer.id,
                SmsMessage.kind == kind,
                SmsMessage.status == SmsStatus.QUEUED,
            )
            .order_by(SmsMessage.id.desc())
        )
        .scalars()
        .first()
    )
    if queued is not None:
        text, source = queued.body, f"queued message {queued.id}"
    else:
        # A template that cannot render says so in one sentence (render.TemplateProblem).
        text = _render_for(session, settings, store, kind, customer, today, campaign, reminder)
        source = "rendered now"
    measured = segments.count(text)
    return {
        "customer": customer.name,
        "phone": customer.phone,
        "kind": kind,
        "source": source,
        "body": text,
        "characters": measured.characters,
        "encoding": measured.encoding,
        "segments": measured.segments,
    }


def _render_for(session, settings, store, kind, customer, today, campaign, reminder) -> str:
    locale = settings.store.locale
    vehicle = (
        session.execute(
            select(Vehicle)
            .where(Vehicle.owner_id == customer.id)
            .order_by(Vehicle.delivery_date.desc())
        )
        .scalars()
        .first()
    )
    delivered = vehicle.delivery_date if vehicle else today
    if kind == Kind.FIRST_SERVICE_SMS:
        due = add_months(delivered, settings.followup.first_service_sms_after_months)
    elif vehicle and vehicle.maintenance_due_on:
        due = vehicle.maintenance_due_on
    else:
        due = today
    holiday = settings.followup.holidays[0] if settings.followup.holidays else "spring_festival"
    values = {
        "first_service_km": settings.followup.first_service_km,
        "years": max(1, today.year - delivered.year),
        "holiday": HOLIDAYS[holiday][1 if locale == "zh_CN" else 2],
        "campaign": campaign or ("服务节" if locale == "zh_CN" else "Service Festival"),
        "reminder": reminder,
    }
    # Only what the kind's sender gives (compose.context): a preview fails where the planner would.
    context = compose.context(kind, locale, customer, vehicle, due, values)
    return compose.body(kind, store.name, settings, context)

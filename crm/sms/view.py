"""What the store sees of its SMS: the outbox listed, and one customer's message previewed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
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
    session: Session, settings: Settings, status: str | None, store: Store, limit: int
) -> list[dict]:
    """The newest messages first, as the CLI contract names their fields."""
    zone = policy.ZoneInfo(store.timezone)
    customer = Customer.__table__.c
    query = (
        select(MESSAGES, customer.name.label("customer_name"))
        .join(Customer.__table__, customer.id == MESSAGES.c.customer_id)
        .where(MESSAGES.c.store_id == store.id)
        .order_by(MESSAGES.c.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(MESSAGES.c.status == status)
    rows = []
    for row in session.execute(query):
        after = row.not_before or row.queued_at
        if row.status == SmsStatus.QUEUED:
            after = policy.next_opening(after, zone, settings.sms.window)
        rows.append(
            {
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
        )
    return rows


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

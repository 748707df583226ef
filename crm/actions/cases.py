"""Complaints (投诉), followed until the customer confirms, and inbound inquiries (咨询)."""

from __future__ import annotations

from datetime import date, timedelta

from crm.actions.context import StoreContext, store_of
from crm.app import App
from crm.errors import UsageError

INQUIRY_DAYS = 30  # the inquiries list's default span, ending today


def open_complaint(
    ctx: StoreContext,
    customer_ref: str,
    category: str,
    text: str,
    vin: str | None = None,
    agent_code: str | None = None,
) -> dict:
    """Record a complaint: routed to its department, its first progress call due at once."""
    from crm.calls.agents import get_agent
    from crm.calls.complaints import describe, open_complaint
    from crm.calls.lookup import find_customer, find_vehicle

    with ctx.session() as session:
        store = ctx.store(session)
        customer = find_customer(session, store, customer_ref, ctx.phone_region)
        vehicle = find_vehicle(session, customer, vin) if vin else None
        agent = get_agent(session, store, agent_code) if agent_code else None
        complaint = open_complaint(
            session,
            ctx.settings,
            store,
            customer.id,
            category,
            text,
            ctx.now,
            vehicle_id=vehicle.id if vehicle else None,
            agent_id=agent.id if agent else None,
        )
        session.commit()
        return describe(complaint, customer.name, customer.phone, ctx.zone, ctx.now)


def list_complaints(ctx: StoreContext, status: str = "open", overdue: bool = False) -> list[dict]:
    """The store's complaints by status; `overdue` keeps the ones past a deadline."""
    from crm.calls.complaints import list_complaints as listed

    with ctx.session() as session:
        return listed(session, ctx.store(session), status, overdue, ctx.now)


def complaint_context(app: App, complaint_id: int) -> StoreContext:
    """The context of the store a complaint belongs to; an unknown one is refused."""
    from crm.calls.complaints import get_complaint

    with app.session() as session:
        store_id = get_complaint(session, complaint_id).store_id
    return store_of(app, store_id)


def show_complaint(app: App, complaint_id: int) -> dict:
    """One complaint: its deadlines, resolution and every call about it."""
    from crm.calls.complaints import show

    ctx = complaint_context(app, complaint_id)
    with ctx.session() as session:
        return show(session, complaint_id, ctx.now)


def resolve_complaint(
    app: App, complaint_id: int, resolution: str, agent_code: str | None = None
) -> dict:
    """The store solved it: the progress calls stop and a confirmation call comes due."""
    from crm.calls.agents import get_agent
    from crm.calls.complaints import resolve

    ctx = complaint_context(app, complaint_id)
    with ctx.session() as session:
        agent = get_agent(session, ctx.store(session), agent_code) if agent_code else None
        complaint = resolve(session, ctx.settings, complaint_id, resolution, ctx.now, agent=agent)
        return {"complaint_id": complaint.id, "status": str(complaint.status)}


def log_inquiry(
    ctx: StoreContext,
    phone: str,
    topic: str,
    name: str | None = None,
    note: str | None = None,
    agent_code: str | None = None,
) -> dict:
    """An inbound call; an unknown number becomes a lead (潜在客户)."""
    from crm.calls.agents import get_agent
    from crm.calls.inquiries import log_inquiry as log

    with ctx.session() as session:
        store = ctx.store(session)
        agent = get_agent(session, store, agent_code) if agent_code else None
        return log(
            session,
            store,
            ctx.phone_region,
            phone,
            topic,
            ctx.now,
            name=name,
            note=note,
            agent=agent,
        )


def list_inquiries(
    ctx: StoreContext,
    since: date | None = None,
    until: date | None = None,
    topic: str | None = None,
) -> list[dict]:
    """Inbound calls between two of the store's days (default: the last 30 days to today)."""
    from crm.calls.inquiries import list_inquiries as listed

    until = until or ctx.today
    since = since or until - timedelta(days=INQUIRY_DAYS)
    if since > until:
        raise UsageError(f"the first day {since} is after the last day {until}", field="since")
    with ctx.session() as session:
        return listed(session, ctx.store(session), since, until, topic)

"""Complaints (投诉), followed until the customer confirms, and inbound inquiries (咨询)."""

from __future__ import annotations

from datetime import date, timedelta

from crm.access.users import Viewer
from crm.actions.context import StoreContext, acting, store_of
from crm.app import App
from crm.errors import NotFound, UsageError

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


def complaint_store(app: App, viewer: Viewer, complaint_id: int) -> StoreContext:
    """The store of a complaint the viewer may see, acting as the viewer; any other
    complaint does not exist for them."""
    from crm.models import Complaint

    with app.session() as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None or not viewer.may_see_store(complaint.store_id):
            raise NotFound(f"no complaint {complaint_id}", field="complaint_id")
        store_id = complaint.store_id
    return acting(store_of(app, store_id), viewer.code)


def complaints_page(
    ctx: StoreContext, status: str = "open", overdue: bool = False, page: int = 1
) -> dict:
    """A page of the store's complaints, overdue first, then by the nearest deadline."""
    from crm.calls.complaint_progress import STATUSES, urgent_page

    if status not in STATUSES:
        raise UsageError(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}", field="status"
        )
    size = ctx.settings.web.page_size
    page = max(page, 1)
    with ctx.session() as session:
        store = ctx.store(session)
        rows, counts = urgent_page(
            session, store, status, overdue, ctx.now, size, (page - 1) * size
        )
        pages = max(1, -(-counts["total"] // size))
        if page > pages:  # past the end (the list shrank, or a typed address): the last page
            page = pages
            rows, counts = urgent_page(
                session, store, status, overdue, ctx.now, size, (page - 1) * size
            )
    return {"rows": rows, "counts": counts, "page": page, "pages": pages, "store": ctx.code}


def complaint_timeline(ctx: StoreContext, complaint_id: int) -> dict:
    """One complaint with its timeline, its deadlines, and who it may be routed to."""
    from sqlmodel import select

    from crm.calls import complaint_progress, complaints
    from crm.models import Agent

    with ctx.session() as session:
        complaint = _own_complaint(session, ctx, complaint_id)
        data = complaints.show(session, complaint_id, ctx.now)
        data["timeline"] = complaint_progress.timeline(session, complaint, ctx.zone)
        owner = complaint_progress.owner_of(session, complaint)
        data["owner"] = {"code": owner.code, "name": owner.name} if owner else None
        active = select(Agent).where(Agent.store_id == ctx.store_id, Agent.active)
        data["agents"] = [
            {"code": agent.code, "name": agent.name}
            for agent in session.exec(active.order_by(Agent.code))
        ]
    data["departments"] = complaint_progress.departments(ctx.settings)
    data["store"] = ctx.code
    return data


def add_complaint_note(ctx: StoreContext, complaint_id: int, text: str) -> dict:
    """A progress note on the complaint, signed by whoever acts."""
    from crm.calls.complaint_progress import add_note

    with ctx.session() as session:
        complaint = _own_complaint(session, ctx, complaint_id)
        note = add_note(session, complaint, ctx.actor, text, ctx.now)
        session.commit()
        return {"complaint_id": complaint_id, "note_id": note.id, "author": note.author}


def route_complaint(
    ctx: StoreContext,
    complaint_id: int,
    department: str | None = None,
    agent_code: str | None = None,
) -> dict:
    """Send the complaint to another department or owner (its open calls follow the owner)."""
    from crm.access.audit import record
    from crm.calls.agents import get_agent
    from crm.calls.complaint_progress import route, subject_of

    if not department and not agent_code:
        raise UsageError("choose a department or an owner", field="department")
    with ctx.session() as session:
        complaint = _own_complaint(session, ctx, complaint_id)
        agent = get_agent(session, ctx.store(session), agent_code) if agent_code else None
        changed = route(
            session, ctx.settings, complaint, ctx.now, department=department, agent=agent
        )
        record(
            session,
            store_id=ctx.store_id,
            actor=ctx.actor,
            action="complaint_route",
            at=ctx.now,
            subject=subject_of(complaint_id),
            customer_id=complaint.customer_id,
            detail=changed,
        )
        session.commit()
    return {"complaint_id": complaint_id, "changed": changed}


def resolve_complaint(
    ctx: StoreContext, complaint_id: int, resolution: str, agent_code: str | None = None
) -> dict:
    """The store solved it: the progress calls stop and a confirmation call comes due."""
    from crm.access.audit import record
    from crm.calls.agents import get_agent
    from crm.calls.complaint_progress import subject_of
    from crm.calls.complaints import resolve

    with ctx.session() as session:
        _own_complaint(session, ctx, complaint_id)
        agent = get_agent(session, ctx.store(session), agent_code) if agent_code else None
        complaint = resolve(session, ctx.settings, complaint_id, resolution, ctx.now, agent=agent)
        record(
            session,
            store_id=ctx.store_id,
            actor=ctx.actor,
            action="complaint_resolve",
            at=ctx.now,
            subject=subject_of(complaint_id),
            customer_id=complaint.customer_id,
            detail={"resolution": complaint.resolution},
        )
        session.commit()
        return {"complaint_id": complaint.id, "status": str(complaint.status)}


def _own_complaint(session, ctx: StoreContext, complaint_id: int):
    """The complaint, when it is this store's; another store's is NotFound, as a missing one."""
    from crm.calls.complaints import get_complaint

    complaint = get_complaint(session, complaint_id)
    if complaint.store_id != ctx.store_id:
        raise NotFound(f"no complaint {complaint_id} in store {ctx.code}", field="complaint_id")
    return complaint


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
            locale=ctx.locale,
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

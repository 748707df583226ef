"""The call desk as the consoles work it: whose calls, held while a card is open, next call.

Every function takes the signed-in `Viewer` and answers NotFound, as for a missing
row, when the call or customer belongs to a store the viewer may not see.
"""

from __future__ import annotations

from datetime import datetime, time

from crm.access.users import Viewer
from crm.actions.context import StoreContext, acting, open_store, store_of
from crm.app import App
from crm.errors import NotFound


def viewer_store(app: App, viewer: Viewer, store_code: str | None = None) -> StoreContext:
    """The store a page works on: the viewer's own; an admin's pick (default: configured)."""
    from crm.models import Role

    if viewer.role == Role.ADMIN:
        return acting(open_store(app, store_code), viewer.code)
    return acting(store_of(app, viewer.store_id), viewer.code)


def call_store(app: App, viewer: Viewer, task_id: int) -> StoreContext:
    """The store of a call the viewer may see; any other call does not exist for them."""
    from crm.models import Channel, FollowupTask

    with app.session() as session:
        task = session.get(FollowupTask, task_id)
        visible = (
            task is not None
            and task.channel == Channel.PHONE
            and viewer.may_see_store(task.store_id)
        )
        if not visible:
            raise NotFound(f"no call task {task_id}", field="task_id")
        store_id = task.store_id
    return acting(store_of(app, store_id), viewer.code)


def customer_store(app: App, viewer: Viewer, customer_id: int) -> StoreContext:
    from crm.models import Customer

    with app.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or not viewer.may_see_store(customer.store_id):
            raise NotFound(f"no customer {customer_id}", field="customer")
        store_id = customer.store_id
    return acting(store_of(app, store_id), viewer.code)


def my_day(
    ctx: StoreContext,
    viewer: Viewer,
    kind: str | None = None,
    page: int = 1,
    around: int | None = None,
) -> dict:
    """The viewer's list (an agent's own calls, a manager's whole store), a page of it.

    With `around`, the page is the one holding that call, so a card opened from a later
    page (or the next call after a save) sits beside its own rows.
    """
    from crm.calls import claims, desk, talking
    from crm.vocabulary.kinds import Kind

    size = ctx.settings.web.page_size
    agent_id = _agent_id(viewer)
    kind = kind if kind in set(Kind) else None
    day_start = datetime.combine(ctx.today, time(), ctx.zone)
    with ctx.session() as session:
        store = ctx.store(session)
        counts = desk.day_counts(session, ctx.store_id, ctx.today, agent_id, kind, day_start)
        pages = max(1, -(-counts["due"] // size))
        if around is not None:
            ids = desk.day_ids(session, ctx.store_id, ctx.today, agent_id, kind)
            if around in ids:
                page = ids.index(around) // size + 1
        page = min(max(page, 1), pages)
        rows = desk.day_list(
            session,
            store,
            ctx.today,
            ctx.locale,
            agent=_agent(session, agent_id),
            limit=size,
            offset=(page - 1) * size,
            kind=kind,
        )
        held = claims.holders(session, [row["task_id"] for row in rows], ctx.now)
    for row in rows:
        holder = held.get(row["task_id"])
        row["held_by"] = holder[1] if holder and holder[0] != viewer.user_id else None
    return {
        "store": ctx.code,
        "store_name": ctx.name,
        "date": ctx.today.isoformat(),
        "counts": counts,
        "rows": rows,
        "page": page,
        "pages": pages,
        "kind": kind,
        "kinds": [(str(k), talking.label(k, ctx.locale)) for k in Kind if _is_call(k)],
    }


def open_call(app: App, viewer: Viewer, task_id: int) -> dict:
    """The call card: the call, its customer's history, and who else holds it (reading only)."""
    return _card(call_store(app, viewer, task_id), viewer, task_id)


def _card(ctx: StoreContext, viewer: Viewer, task_id: int) -> dict:
    from crm.calls import claims
    from crm.calls.history import task_history

    with ctx.session() as session:
        card = task_history(session, task_id, ctx.locale, ctx.now)
        held = claims.holder(session, task_id, ctx.now)
    mine = held is None or held.holder_id == viewer.user_id
    card["claim"] = {"held_by": None if mine else held.holder}
    card["store"] = ctx.code
    card["today"] = ctx.today.isoformat()
    card["renew_seconds"] = ctx.settings.web.claim_minutes * 30  # twice per hold
    return card


def card_with_day(app: App, viewer: Viewer, task_id: int, kind: str | None = None) -> dict:
    """The card and, beside it, the page of the viewer's list that holds it."""
    ctx = call_store(app, viewer, task_id)
    return {"card": _card(ctx, viewer, task_id), "day": my_day(ctx, viewer, kind, around=task_id)}


def hold_call(app: App, viewer: Viewer, task_id: int) -> dict:
    """Hold the call while its card is open (renewed by the card); who holds it otherwise."""
    from crm.calls import claims

    ctx = call_store(app, viewer, task_id)
    with ctx.session() as session:
        held = claims.claim(
            session, task_id, viewer.user_id, ctx.now, ctx.settings.web.claim_minutes
        )
    return {"mine": held.mine, "held_by": held.holder}


def log_call(
    app: App, viewer: Viewer, task_id: int, outcome: str, kind: str | None = None, **details
) -> dict:
    """Record the call's result as the viewer; then the next call on their (filtered) list."""
    from crm.actions import calls
    from crm.calls import desk

    ctx = call_store(app, viewer, task_id)
    agent_id = _agent_id(viewer)
    with ctx.session() as session:
        before = desk.day_ids(session, ctx.store_id, ctx.today, agent_id, kind)
    if viewer.is_agent:
        details.setdefault("agent_code", viewer.code)
    details.setdefault("actor", viewer.code)
    if details.get("complaint_category") and not details.get("complaint_text"):
        details["complaint_text"] = details.get("note")  # what the agent wrote is what was said
    result = calls.log_call(app, task_id, outcome, user_id=viewer.user_id, **details)
    result["next_task_id"] = _next(ctx, viewer, before, task_id, kind)
    return result


def log_and_next(
    app: App, viewer: Viewer, task_id: int, outcome: str, kind: str | None = None, **details
) -> dict:
    """Log the call, then the next call's card and the list beside it (the card saved)."""
    result = log_call(app, viewer, task_id, outcome, kind, **details)
    following = result["next_task_id"]
    if following is None:
        ctx = call_store(app, viewer, task_id)
        return {"result": result, "card": None, "day": my_day(ctx, viewer, kind)}
    return {"result": result, **card_with_day(app, viewer, following, kind)}


def neighbour(
    app: App, viewer: Viewer, task_id: int, step: int, kind: str | None = None
) -> int | None:
    """The call after (step 1) or before (step -1) this one on the viewer's list."""
    from crm.calls import desk

    ctx = call_store(app, viewer, task_id)
    with ctx.session() as session:
        ids = desk.day_ids(session, ctx.store_id, ctx.today, _agent_id(viewer), kind)
    if task_id not in ids:
        return ids[0] if ids else None
    index = ids.index(task_id) + step
    return ids[index] if 0 <= index < len(ids) else None


def search(ctx: StoreContext, query: str) -> list[dict]:
    """Customers of the store by phone (however typed), plate, name, VIN or DMS code."""
    from crm.calls.search import search as find

    with ctx.session() as session:
        return find(session, ctx.store_id, query, ctx.phone_region)


def customer_page(app: App, viewer: Viewer, customer_id: int) -> dict:
    """A customer's whole history and open calls."""
    from crm.actions.audit import audit_trail
    from crm.calls.history import customer_history
    from crm.models import Customer

    ctx = customer_store(app, viewer, customer_id)
    with ctx.session() as session:
        data = customer_history(
            session, session.get(Customer, customer_id), ctx.locale, ctx.zone, ctx.now
        )
    data["store"] = ctx.code
    data["audit"] = audit_trail(ctx, customer_id=customer_id, limit=CUSTOMER_AUDIT_ROWS)
    return data


CUSTOMER_AUDIT_ROWS = 20  # the newest changes on a customer's page; /audit has them all
NEXT_LOOK = 25  # calls after the logged one checked at once; the whole list only if all are gone


def _next(
    ctx: StoreContext, viewer: Viewer, before: list[int], logged: int, kind: str | None
) -> int | None:
    """The first call after the logged one, in the list's order before it was logged, that is
    still on the list and free for the viewer (a colleague may hold the next one)."""
    from crm.calls import desk

    at = before.index(logged) if logged in before else -1
    order = [task_id for task_id in before[at + 1 :] + before[: max(at, 0)] if task_id != logged]
    free = (ctx.store_id, ctx.today, _agent_id(viewer), kind)
    with ctx.session() as session:
        for start in range(0, len(order), NEXT_LOOK):
            batch = order[start : start + NEXT_LOOK]
            still = desk.still_free(session, *free, batch, (viewer.user_id, ctx.now))
            found = next((task_id for task_id in batch if task_id in still), None)
            if found is not None:
                return found
            if start >= NEXT_LOOK:  # two batches gone: read the rest at once
                rest = set(desk.day_ids(session, *free, free_for=(viewer.user_id, ctx.now)))
                return next((task_id for task_id in order[start:] if task_id in rest), None)
    return None


def _agent_id(viewer: Viewer) -> int | None:
    """Whose list: an agent's own calls; a manager's and an admin's whole store."""
    return viewer.agent_id if viewer.is_agent else None


def _agent(session, agent_id):
    from crm.models import Agent

    return session.get(Agent, agent_id) if agent_id else None


def _is_call(kind) -> bool:
    from crm.vocabulary.kinds import SMS_CATEGORY

    return kind not in SMS_CATEGORY


def display_name(code: str | None, locale: str) -> str:
    """A stored code (kind, category, topic, status) as people read it."""
    from crm.actions.names import display_name as named

    return named(code, locale)

"""SMS: the templates' check, one customer's text, opt-outs, sending, reconciling, syncing."""

from __future__ import annotations

from datetime import date, timedelta

from crm.actions.context import StoreContext
from crm.app import App
from crm.clock import utcnow
from crm.errors import CrmError, NotFound, UsageError
from crm.sms.providers.base import ProviderError

__all__ = ["ProviderError"]  # a provider failed: the front ends show it as one sentence


def make_sender(app: App):
    """The configured provider's sender; missing credentials fail here, naming the variable.
    With `web.public_url` set, Twilio reports each message to the console's webhook."""
    from crm.actions.webhooks import status_callback_url
    from crm.sms.providers import make_sender as make

    settings = app.settings.sms
    callback = status_callback_url(app)
    if callback != settings.status_callback:
        settings = settings.model_copy(update={"status_callback": callback})
    return make(settings)


def lint_templates(app: App) -> list:
    """Every template rendered with sample data, measured and judged."""
    from crm.sms.lint import lint_all

    return lint_all(app.settings)


def preview(
    ctx: StoreContext,
    kind: str,
    customer_ref: str,
    campaign: str | None = None,
    reminder: str = "maintenance",
    day: date | None = None,
) -> dict:
    """The exact text one customer would get for `kind` on the store's day."""
    from crm.sms.view import preview as show

    with ctx.session() as session:
        return show(
            session,
            ctx.settings,
            ctx.store(session),
            kind,
            customer_ref,
            day or ctx.today,
            campaign,
            reminder,
        )


def opt_out(
    app: App,
    phone: str,
    source: str = "manual",
    actor: str = "system",
    ctx: StoreContext | None = None,
) -> dict:
    """Withdraw consent for every customer with this number and cancel their queued messages:
    in every store (the CLI), or with `ctx` in that store only, as its actor (a manager's
    console); each customer's change is in its store's audit trail."""
    from sqlalchemy import select

    from crm.models import Customer
    from crm.sms.consent import opt_out_recorded as withdraw

    number = _phone(app, phone)
    where = [Customer.phone == number]
    if ctx is not None:
        where.append(Customer.store_id == ctx.store_id)
        actor = ctx.actor
    now = ctx.now if ctx is not None else utcnow()
    with app.session() as session:
        customers = list(session.execute(select(Customer.id).where(*where)).scalars())
        if not customers:
            if ctx is None:  # the CLI
                hint = 'find the customer with `crm customers find "NAME or PLATE"`'
            else:
                hint = "find the customer by name or plate with the search"
            scope = " of this store" if ctx is not None else ""
            raise CrmError(
                f"no customer{scope} has the number {number}; {hint} and opt out the number "
                "it shows",
                field="phone",
            )
        cancelled = withdraw(session, customers, source, actor, now)
        session.commit()
    return {"phone": number, "customers": len(customers), "cancelled": cancelled}


def _phone(app: App, phone: str) -> str:
    from crm.vocabulary.phones import parse_phone

    try:
        return parse_phone(phone, app.settings.store.phone_region)
    except ValueError as exc:
        raise UsageError(f"{exc}; give a number like 138 0013 8000", field="phone") from None


def send_due(
    app: App, sender, limit: int | None = None, progress=None, store_code: str | None = None
):
    """Settle stale `sending` rows first (a crash's leftovers), then send what is due in
    each store's send window (or in one store's); returns (what was settled, the result)."""
    from crm.sms.outbox import Dispatcher
    from crm.sms.reconcile import reconcile
    from crm.stores import get_store

    stale = timedelta(seconds=app.settings.sms.reconcile_after_seconds)
    with app.session() as session:
        stores = [get_store(session, store_code).id] if store_code else None
        settled = reconcile(session, sender, utcnow(), stale, stores)
        result = Dispatcher(session, app.settings.sms, sender, progress, stores).run(limit)
    return settled, result


def reconcile(app: App, sender, older_than: float | None = None):
    """Settle messages left in sending by the provider's log."""
    from crm.sms.reconcile import reconcile as settle

    seconds = app.settings.sms.reconcile_after_seconds if older_than is None else older_than
    with app.session() as session:
        return settle(session, sender, utcnow(), timedelta(seconds=seconds))


def sync(app: App, sender) -> dict:
    """Delivery reports and replies (opt-outs) from the provider, for the last sync_days."""
    from crm.sms.sync import sync_replies, sync_status

    now, days = utcnow(), app.settings.sms.sync_days
    with app.session() as session:
        statuses = sync_status(session, sender, now, days)
        replies = sync_replies(session, sender, now, days)
    return {"statuses": dict(statuses), "replies": dict(replies)}


def outbox(ctx: StoreContext, status: str | None = None, limit: int = 100) -> list[dict]:
    """The store's newest messages and what became of each."""
    from crm.sms.view import list_outbox

    with ctx.session() as session:
        return list_outbox(session, ctx.settings, status, ctx.store(session), limit)


def outbox_page(
    ctx: StoreContext,
    *,
    status: str | None = None,
    kind: str | None = None,
    day: date | None = None,
    phone: str | None = None,
    page: int = 1,
    size: int = 50,
) -> dict:
    """A page of the store's outbox, newest first, filtered; the choices for its filters."""
    from crm.models import SmsStatus
    from crm.sms.view import count_outbox, list_outbox
    from crm.vocabulary.kinds import SMS_CATEGORY

    statuses, kinds = [str(s) for s in SmsStatus], [str(k) for k in SMS_CATEGORY]
    if status and status not in statuses:
        raise UsageError(f"unknown status {status!r}", field="status")
    if kind and kind not in kinds:
        raise UsageError(f"unknown kind {kind!r}", field="kind")
    if day is not None and not OUTBOX_DAYS[0] <= day <= OUTBOX_DAYS[1]:
        # A day such as 9999-12-31 has no next midnight a datetime can hold.
        raise UsageError(f"no message is queued on {day}; give a day like 2026-03-01", field="day")
    filters = {"kind": kind, "day": day, "phone": _phone(ctx.app, phone) if phone else None}
    with ctx.session() as session:
        store = ctx.store(session)
        total = count_outbox(session, store, status, **filters)
        pages = max(1, -(-total // size))
        page = min(max(page, 1), pages)
        rows = list_outbox(
            session, ctx.settings, status, store, size, offset=(page - 1) * size, **filters
        )
    return {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "statuses": statuses,
        "kinds": kinds,
    }


OUTBOX_DAYS = (date(1900, 1, 1), date(2999, 12, 31))  # the days the outbox filter takes


def message(app: App, viewer, message_id: int) -> dict:
    """One message, if it belongs to a store the viewer may see; else it does not exist."""
    from crm.actions.context import store_of
    from crm.models import SmsMessage
    from crm.sms.view import MAX_ID, message_detail

    with app.session() as session:
        found = session.get(SmsMessage, message_id) if 0 < message_id <= MAX_ID else None
        if found is None or not viewer.may_see_store(found.store_id):
            raise NotFound(f"no message {message_id}", field="message")
        ctx = store_of(app, found.store_id)
        detail = message_detail(session, app.settings, ctx.store(session), message_id)
    detail["store"] = ctx.code
    return detail


def opt_out_list(ctx: StoreContext, page: int = 1, size: int = 50) -> dict:
    """The store's customers who refuse SMS, newest first, a page at a time."""
    from crm.sms.view import opt_outs

    with ctx.session() as session:
        rows, total = opt_outs(session, ctx.store(session), size, (max(page, 1) - 1) * size)
    return {"rows": rows, "total": total, "page": max(page, 1), "pages": max(1, -(-total // size))}

"""SMS: the templates' check, one customer's text, opt-outs, sending, reconciling, syncing."""

from __future__ import annotations

from datetime import date, timedelta

from crm.actions.context import StoreContext
from crm.app import App
from crm.clock import utcnow
from crm.errors import CrmError, UsageError
from crm.sms.providers.base import ProviderError

__all__ = ["ProviderError"]  # a provider failed: the front ends show it as one sentence


def make_sender(app: App):
    """The configured provider's sender; missing credentials fail here, naming the variable."""
    from crm.sms.providers import make_sender as make

    return make(app.settings.sms)


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


def opt_out(app: App, phone: str, source: str = "manual") -> dict:
    """Withdraw consent for every customer with this number, in every store, and cancel
    their queued messages."""
    from sqlalchemy import select

    from crm.models import Customer
    from crm.sms.consent import opt_out as withdraw
    from crm.vocabulary.phones import parse_phone

    try:
        number = parse_phone(phone, app.settings.store.phone_region)
    except ValueError as exc:
        raise UsageError(f"{exc}; give a number like 138 0013 8000", field="phone") from None
    with app.session() as session:
        customers = list(
            session.execute(select(Customer.id).where(Customer.phone == number)).scalars()
        )
        if not customers:
            raise CrmError(
                f"no customer has the number {number}; check it with the customer list",
                field="phone",
            )
        cancelled = withdraw(session, customers, source, utcnow())
        session.commit()
    return {"phone": number, "customers": len(customers), "cancelled": cancelled}


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

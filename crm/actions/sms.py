"""SMS: the templates' check, one customer's text, opt-outs, sending, reconciling, syncing."""

from __future__ import annotations

from datetime import date

from crm.actions.context import StoreContext
from crm.app import App
from crm.sms.backends.base import SendError

# A provider's failure, as the front ends catch it to show one sentence.
ProviderError = SendError


def make_sender(app: App):
    """The configured provider's sender; missing credentials fail here, naming the variable."""
    from crm.sms.backends import make_sender as make

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
    """Withdraw SMS and marketing consent for a number and cancel its queued messages."""
    from crm.sms.service import opt_out_phone

    with app.session() as session:
        return opt_out_phone(session, app.settings, phone, source)


def send_due(app: App, sender, limit: int | None = None, progress=None):
    """Settle a crash's leftovers, then send what is due in each store's send window."""
    from crm.sms.service import send_due as send

    with app.session() as session:
        return send(session, app.settings, sender, limit, progress=progress)


def reconcile(app: App, sender, older_than: float | None = None):
    """Settle messages left in sending by the provider's log."""
    from crm.sms.service import reconcile_now

    with app.session() as session:
        return reconcile_now(session, app.settings, sender, older_than)


def sync(app: App, sender) -> dict:
    """Delivery reports and replies (opt-outs) from the provider."""
    from crm.sms.service import sync as fetch

    with app.session() as session:
        return fetch(session, app.settings, sender)


def outbox(ctx: StoreContext, status: str | None = None, limit: int = 100) -> list[dict]:
    """The store's newest messages and what became of each."""
    from crm.sms.view import list_outbox

    with ctx.session() as session:
        return list_outbox(session, ctx.settings, status, ctx.store(session), limit)

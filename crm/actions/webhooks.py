"""What the SMS providers post to us: Twilio's status callbacks and replies (signed with
the account's token), Aliyun's and Tencent's delivery reports and replies (unsigned, so
accepted only on a path holding a secret token). Each post is one transaction."""

from __future__ import annotations

from collections import Counter

from crm.app import App
from crm.clock import utcnow
from crm.errors import Forbidden, NotFound, UsageError

TWILIO_STATUS_PATH = "/webhooks/twilio/status"
TWILIO_INBOUND_PATH = "/webhooks/twilio/inbound"


def status_callback_url(app: App) -> str | None:
    """Where Twilio reports each message's progress: `sms.status_callback` when set, else
    the console's receiver at `web.public_url`; None when neither (polling does it)."""
    if app.settings.sms.status_callback:
        return app.settings.sms.status_callback
    public = app.settings.web.public_url.rstrip("/")
    return f"{public}{TWILIO_STATUS_PATH}" if public else None


def twilio_status(app: App, path: str, own_base: str, form, signature: str | None) -> dict:
    """Record a status callback once and in order: {"outcome": updated, unchanged, unknown
    or ignored (a step before sent), "sid": ...}; Forbidden when not Twilio's."""
    from crm.sms.providers.base import BadPush
    from crm.sms.providers.twilio import webhooks as twilio
    from crm.sms.pushed import record_report

    _check_signed(app, path, own_base, form, signature)
    try:
        pushed = twilio.status_report(form)
    except BadPush as exc:
        raise UsageError(str(exc), field="form") from None
    if pushed is None:
        return {"outcome": "ignored", "sid": form.get("MessageSid")}
    with app.session() as session:
        outcome = record_report(session, pushed, utcnow())
        session.commit()
    return {"outcome": outcome, "sid": pushed.provider_key}


def twilio_inbound(app: App, path: str, own_base: str, form, signature: str | None) -> dict:
    """Keep a reply once; an opt-out word withdraws consent at once. {"new", "opted_out",
    "answer": the empty TwiML}; Forbidden when not Twilio's."""
    from crm.sms.providers.base import BadPush
    from crm.sms.providers.twilio import webhooks as twilio
    from crm.sms.pushed import record_reply

    _check_signed(app, path, own_base, form, signature)
    now = utcnow()
    try:
        reply = twilio.reply(form, now)
    except BadPush as exc:
        raise UsageError(str(exc), field="form") from None
    with app.session() as session:
        recorded = record_reply(session, reply, "twilio", now)
        session.commit()
    return {
        "new": recorded.inbound_id is not None,
        "opted_out": recorded.opted_out,
        "answer": twilio.EMPTY_TWIML,
    }


def _check_signed(app: App, path: str, own_base: str, form, signature: str | None) -> None:
    from crm.sms.providers.twilio import webhooks as twilio

    # Twilio signs the address it called: the public one, not what the proxy forwards.
    url = (app.settings.web.public_url or own_base).rstrip("/") + path
    if not twilio.signed(url, form, signature):
        if not twilio.token_set():
            raise Forbidden(f"{twilio.TOKEN_VARIABLE} is not set, so no webhook can be checked")
        raise Forbidden(f"a {'wrong' if signature else 'missing'} X-Twilio-Signature for {url}")


def provider_push(app: App, provider: str, kind: str, token: str, body: bytes) -> dict:
    """Record an Aliyun or Tencent push (`kind` report or reply) on its secret path:
    {"answer": the JSON the provider expects, "counts": what became of each item}.
    NotFound when the path's token is not the secret."""
    from crm.sms.providers import PUSHING, pushes
    from crm.sms.providers.base import BadPush
    from crm.sms.pushed import record_reply, record_report, token_refusal

    if provider not in PUSHING or kind not in ("report", "reply"):
        raise NotFound(f"no receiver for {provider} {kind}", field="path")
    module = pushes(provider)
    refusal = token_refusal(module.TOKEN_VARIABLE, token)
    if refusal:
        raise NotFound(refusal, field="token")
    now = utcnow()
    try:
        items = module.reports(body) if kind == "report" else module.replies(body)
    except BadPush as exc:
        raise UsageError(str(exc), field="body") from None
    counts = Counter()
    with app.session() as session:
        for item in items:
            if kind == "report":
                counts[record_report(session, item, now)] += 1
            else:
                recorded = record_reply(session, item, provider, now)
                counts["new" if recorded.inbound_id else "seen"] += 1
                counts["opted_out"] += recorded.opted_out
        session.commit()
    return {"answer": module.ANSWER, "counts": dict(+counts)}

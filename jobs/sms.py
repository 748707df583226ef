"""The SMS jobs: every minute, settle stale sends, then send what is due; every five
minutes, fetch delivery reports and replies (opt-outs) from a provider that has them."""

from __future__ import annotations

import logging
import time

from crm.actions.dashboard import dispatch_ran
from crm.actions.sms import ProviderError, make_sender, send_due, sync
from crm.app import App

log = logging.getLogger("crm.jobs")

# As in jobs.planning: the persisted job names only this module's function.
_app: App | None = None
_sender = None


def use(app: App) -> None:
    """Bind the job to the scheduler's app; a provider without its credentials fails here."""
    global _app, _sender
    _app, _sender = app, make_sender(app)


def _bound() -> App:
    if _app is None:
        raise RuntimeError("jobs.sms.use(app) must be called before the job runs")
    return _app


def sms_dispatch() -> dict:
    """The scheduled dispatch job."""
    return run_dispatch(_bound(), _sender)


def sms_sync() -> dict:
    """The scheduled status and replies job."""
    return run_sync(_bound(), _sender)


def run_dispatch(app: App, sender) -> dict:
    started = time.perf_counter()
    settled, result = send_due(app, sender)
    dispatch_ran(app)  # the dashboard turns red when this stops inside the send window
    summary = result.as_json() | {"reconciled": dict(settled)}
    busy = {k: v for k, v in summary.items() if v and k not in ("outside_window",)}
    if busy or settled:
        log.info("sms dispatch: %s in %.1f s", busy, time.perf_counter() - started)
    return summary


def run_sync(app: App, sender) -> dict:
    """Delivery reports and replies: an opt-out by reply must not wait for someone to ask."""
    if sender.name == "console":
        return {}  # nothing was sent anywhere, nobody can reply
    try:
        summary = sync(app, sender)
    except ProviderError as exc:
        # One line in the log; the next run tries again, and nothing was half-written.
        log.error("sms sync: %s", exc)
        return {"error": str(exc)}
    if any(summary.values()):
        log.info("sms sync: %s", summary)
    return summary

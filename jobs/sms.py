"""The SMS dispatch job: every minute, settle stale sends, then send what is due."""

from __future__ import annotations

import logging
import time

from crm.app import App
from crm.sms.backends import make_sender
from crm.sms.service import send_due

log = logging.getLogger("crm.jobs")

# As in jobs.planning: the persisted job names only this module's function.
_app: App | None = None
_sender = None


def use(app: App) -> None:
    """Bind the job to the scheduler's app; a twilio backend without credentials fails here."""
    global _app, _sender
    _app, _sender = app, make_sender(app.settings.sms)


def sms_dispatch() -> dict:
    """The scheduled job."""
    if _app is None:
        raise RuntimeError("jobs.sms.use(app) must be called before the job runs")
    return run_dispatch(_app, _sender)


def run_dispatch(app: App, sender) -> dict:
    started = time.perf_counter()
    with app.session() as session:
        settled, result = send_due(session, app.settings, sender)
    summary = result.as_json() | {"reconciled": dict(settled)}
    busy = {k: v for k, v in summary.items() if v and k not in ("outside_window",)}
    if busy or settled:
        log.info("sms dispatch: %s in %.1f s", busy, time.perf_counter() - started)
    return summary

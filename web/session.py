"""Who is signed in: the signed session cookie, read into a Viewer on every request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from crm.actions.users import Viewer, signed_in
from crm.actions.users import sign_out as end_sessions
from crm.app import App


class SignInRequired(Exception):
    """The page needs a signed-in user; the browser goes to /login."""


def sign_in(request: Request, viewer: Viewer) -> None:
    # A fresh session at sign-in: nothing from before the login carries over.
    request.session.clear()
    request.session.update({"uid": viewer.user_id, "at": datetime.now(UTC).isoformat()})


def sign_out(request: Request) -> None:
    uid = request.session.get("uid")
    if isinstance(uid, int):
        end_sessions(request.app.state.crm, uid)
    request.session.clear()


def current(app: App, request: Request) -> Viewer:
    """The signed-in, still active user, or SignInRequired."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        raise SignInRequired
    try:
        at = datetime.fromisoformat(request.session.get("at", ""))
    except (TypeError, ValueError):
        raise SignInRequired from None
    # The cookie is re-signed on every answer, so its own age only measures idleness; a
    # login lasts `web.session_hours` from signing in, however busy.
    if datetime.now(UTC) - at > timedelta(hours=app.settings.web.session_hours):
        request.session.clear()
        raise SignInRequired
    viewer = signed_in(app, uid, at)
    if viewer is None:
        request.session.clear()
        raise SignInRequired
    return viewer


def require_viewer(request: Request) -> None:
    """Every page but the login needs a signed-in, active user (the one access check)."""
    request.state.viewer = current(request.app.state.crm, request)


def require_manager(request: Request) -> None:
    """The manager's pages: a manager of the store, or an admin; an agent is refused (403)."""
    from crm.errors import Forbidden

    if request.state.viewer.is_agent:
        raise Forbidden("this page is for the store's manager", field="role")

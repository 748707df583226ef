"""Signing in and out, and the health check."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse

from crm.actions.setup import database_reachable
from crm.actions.users import sign_in
from crm.errors import CrmError
from web.csrf import Posted
from web.render import page
from web.session import SignInRequired, current, sign_out
from web.session import sign_in as start_session

log = logging.getLogger("crm.web")
router = APIRouter()


@router.get("/login")
def login_form(request: Request):
    return page(request, "login.html", username="", error=None)


# Plain `def` views run in the threadpool: Argon2 (a third of a second) and the database
# must not hold up the event loop every other agent's page waits on.
@router.post("/login")
def login(request: Request, form: Posted):
    username = str(form.get("username", ""))
    app = request.app.state.crm
    remote = request.client.host if request.client else None
    try:
        viewer = sign_in(app, username, str(form.get("password", "")), remote)
    except CrmError as exc:
        log.info("login refused from %s", remote)
        return page(request, "login.html", status_code=401, username=username, error=str(exc))
    start_session(request, viewer)
    log.info("login ok: user %s", viewer.user_id)
    return RedirectResponse("/day" if viewer.is_agent else "/dashboard", status_code=303)


@router.post("/logout")
def logout(request: Request, form: Posted):
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/healthz")
def healthz(request: Request):
    if database_reachable(request.app.state.crm):
        return PlainTextResponse("ok")
    return PlainTextResponse("database unreachable", status_code=503)


@router.get("/")
def home(request: Request):
    """An agent starts on their day; a manager or an admin on the dashboard."""
    try:
        viewer = current(request.app.state.crm, request)
    except SignInRequired:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/day" if viewer.is_agent else "/dashboard", status_code=303)

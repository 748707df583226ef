"""The console's ASGI app: sessions, CSRF, the pages, the static files, the error pages."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from crm.actions.users import session_secret
from crm.app import App
from crm.errors import CrmError, Forbidden, NotFound
from web import csrf
from web.render import is_htmx, page
from web.session import SignInRequired, require_manager, require_viewer

log = logging.getLogger("crm.web")
STATIC = Path(__file__).parent / "static"
MIN_SECRET = 32


def create_app(app: App) -> FastAPI:
    """The console for the database and settings of `app`."""
    from web import webhooks
    from web.pages import auth, calls, customers, day, manager

    secret = session_secret(app)
    if len(secret) < MIN_SECRET:
        raise CrmError(f"CRM_SECRET_KEY must be at least {MIN_SECRET} characters", field="secret")
    web = app.settings.web
    console = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    console.state.crm = app
    console.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="crm_session",
        max_age=web.session_hours * 3600,
        same_site="lax",
        https_only=web.public_url.startswith("https://"),
    )
    console.mount("/static", StaticFiles(directory=STATIC), name="static")
    console.include_router(auth.router)
    # A provider posts these: no login, no CSRF token; a signature or secret path instead.
    console.include_router(webhooks.router)
    signed = [Depends(require_viewer)]
    for pages in (day, calls, customers):
        console.include_router(pages.router, dependencies=signed)
    managing = [Depends(require_viewer), Depends(require_manager)]
    for pages in manager.PAGES:
        console.include_router(pages.router, dependencies=managing)

    @console.exception_handler(SignInRequired)
    async def to_login(request: Request, _exc) -> Response:
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @console.exception_handler(csrf.Forged)
    async def forged(request: Request, exc) -> Response:
        log.warning("refused a forged POST to %s (%s)", request.url.path, exc)
        return page(request, "error.html", status_code=403, message_key="forbidden")

    @console.exception_handler(Forbidden)
    async def forbidden(request: Request, exc) -> Response:
        said = "admin_only" if exc.field == "admin" else "manager_only"
        return page(request, "error.html", status_code=403, message_key=said)

    @console.exception_handler(NotFound)
    async def not_found(request: Request, _exc) -> Response:
        return page(request, "error.html", status_code=404, message_key="not_found")

    @console.exception_handler(404)
    async def no_route(request: Request, _exc) -> Response:
        return page(request, "error.html", status_code=404, message_key="not_found")

    return console

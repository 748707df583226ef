"""The store's agents with their load: deactivate, activate, hand over, rebalance.

Each button is a POST that calls the same core action as the CLI (`crm agents
deactivate|activate`, `crm calls assign [--rebalance]`), which writes the audit row.
An agent is named by its code within the viewer's store: another store's agent is not
found (404), whatever the form says.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm.actions.calls import assign
from crm.actions.setup import list_agents, set_agent_active
from crm.errors import CrmError, NotFound
from web.csrf import Posted
from web.pages.day import store_of
from web.render import page
from web.text import words

router = APIRouter()
FLASH = "agents_flash"


def _page(request: Request, status_code: int = 200, error: str | None = None):
    ctx = store_of(request)
    return page(
        request,
        "manager/agents.html",
        status_code=status_code,
        store_name=ctx.name,
        agents=list_agents(ctx),
        flash=request.session.pop(FLASH, None),
        error=error,
    )


@router.get("/agents")
def agents_page(request: Request):
    return _page(request)


@router.post("/agents/{code}/deactivate")
def deactivate(request: Request, code: str, form: Posted):
    """Mark the agent absent; with `handover`, their open calls go to the others at once."""
    ctx = store_of(request)
    t = words(ctx.locale)
    agent = set_agent_active(ctx, code, False)
    said = t("agent_now", code=agent["code"], state=t("inactive"))
    if form.get("handover"):
        return _assign(request, rebalance=False, before=said)
    request.session[FLASH] = said
    return RedirectResponse("/agents", status_code=303)


@router.post("/agents/{code}/activate")
def activate(request: Request, code: str, form: Posted):
    ctx = store_of(request)
    t = words(ctx.locale)
    agent = set_agent_active(ctx, code, True)
    request.session[FLASH] = t("agent_now", code=agent["code"], state=t("active"))
    return RedirectResponse("/agents", status_code=303)


@router.post("/agents/assign")
def hand_over(request: Request, form: Posted):
    """Calls without an active agent go to one; with `rebalance`, loads are evened out too."""
    return _assign(request, rebalance=bool(form.get("rebalance")))


def _assign(request: Request, rebalance: bool, before: str = ""):
    ctx = store_of(request)
    try:
        moved = assign(ctx, rebalance=rebalance)
    except NotFound:
        raise
    except CrmError as exc:
        if before:
            request.session[FLASH] = before
        return _page(request, status_code=422, error=str(exc))
    done = words(ctx.locale)("assigned_n", **moved)
    request.session[FLASH] = f"{before} {done}".strip()
    return RedirectResponse("/agents", status_code=303)

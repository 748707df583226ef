"""The manager's home: today per agent, the month's on-time rates, complaints, SMS, job health."""

from __future__ import annotations

from fastapi import APIRouter, Request

from crm.actions.dashboard import dashboard
from web.pages.day import store_of
from web.render import page

router = APIRouter()


@router.get("/dashboard")
def dashboard_page(request: Request):
    admin = request.state.viewer.role == "admin"
    board = dashboard(store_of(request), all_stores_health=admin)
    stores = [(entry["store"], entry["store_name"]) for entry in board["health"]]
    return page(request, "manager/dashboard.html", board=board, admin=admin, stores=stores)

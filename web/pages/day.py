"""My day: the viewer's open calls, overdue first, a page at a time."""

from __future__ import annotations

from fastapi import APIRouter, Request

from crm.actions.desk import my_day, viewer_store
from web.inputs import whole_number
from web.render import is_htmx, page

router = APIRouter()


def store_of(request: Request):
    """The store the viewer works on; an admin's pick (`?store=`) is kept in the session."""
    picked = request.query_params.get("store")
    app, viewer = request.app.state.crm, request.state.viewer
    if picked and viewer.role == "admin":
        ctx = viewer_store(app, viewer, picked)  # an unknown store is a 404, not kept
        request.session["store"] = picked
        return ctx
    return viewer_store(app, viewer, request.session.get("store"))


@router.get("/day")
def day_page(request: Request):
    query = request.query_params
    number = whole_number(query.get("page", "1"), 6) or 1
    data = my_day(store_of(request), request.state.viewer, query.get("kind") or None, number)
    if is_htmx(request):
        return page(request, "_list.html", day=data)
    return page(request, "day.html", day=data, card=None)

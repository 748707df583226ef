"""My day: the viewer's open calls, overdue first, a page at a time."""

from __future__ import annotations

from fastapi import APIRouter, Request

from crm.actions.desk import my_day, viewer_store
from web.render import is_htmx, page

router = APIRouter()


def day_of(request: Request) -> dict:
    """The list as the query asks: kind filter, page number, an admin's store."""
    query = request.query_params
    number = query.get("page", "1")
    viewer = request.state.viewer
    ctx = viewer_store(request.app.state.crm, viewer, query.get("store") or None)
    return my_day(ctx, viewer, query.get("kind") or None, int(number) if number.isdigit() else 1)


@router.get("/day")
def day_page(request: Request):
    data = day_of(request)
    if is_htmx(request):
        return page(request, "_list.html", day=data)
    return page(request, "day.html", day=data, card=None)

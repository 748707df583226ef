"""Complaints, open and overdue first: the timeline, progress notes, routing, resolution."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm.actions.cases import (
    add_complaint_note,
    complaint_store,
    complaint_timeline,
    complaints_page,
    resolve_complaint,
    route_complaint,
)
from crm.errors import CrmError, NotFound
from web.csrf import Posted
from web.inputs import row_id, whole_number
from web.pages.day import store_of
from web.render import page

router = APIRouter()
STATUSES = ("open", "resolved", "closed", "all")
# What each form posts, and where a refused field's sentence goes when the core names
# a field the form does not have.
FORMS = {
    "note": (("note",), "note"),
    "route": (("department", "agent"), "department"),
    "resolve": (("resolution",), "resolution"),
}


@router.get("/complaints")
def complaints_list(request: Request):
    query = request.query_params
    status = query.get("status") or "open"
    overdue = query.get("overdue") == "1"
    number = whole_number(query.get("page", "1"), 6) or 1
    ctx = store_of(request)
    filters = {"status": status, "overdue": overdue}
    try:
        listing = complaints_page(ctx, status, overdue, number)
    except CrmError as exc:
        listing = {"rows": [], "counts": None, "page": 1, "pages": 1, "store": ctx.code}
        return page(
            request,
            "manager/complaints.html",
            status_code=422,
            listing=listing,
            filters=filters,
            statuses=STATUSES,
            errors={exc.field or "status": str(exc)},
        )
    return page(
        request,
        "manager/complaints.html",
        listing=listing,
        filters=filters,
        statuses=STATUSES,
        errors={},
    )


@router.get("/complaints/{complaint}")
def complaint_detail(request: Request, complaint: str):
    complaint_id = row_id(complaint, "complaint_id")
    ctx = complaint_store(request.app.state.crm, request.state.viewer, complaint_id)
    done = request.query_params.get("done")
    return _detail(request, ctx, complaint_id, done=done if done in FORMS else None)


@router.post("/complaints/{complaint}/{change}")
def complaint_change(request: Request, complaint: str, change: str, form: Posted):
    """A progress note, a new department or owner, or the resolution; then the complaint."""
    if change not in FORMS:
        raise NotFound(f"no such change {change!r}", field="change")
    complaint_id = row_id(complaint, "complaint_id")
    ctx = complaint_store(request.app.state.crm, request.state.viewer, complaint_id)
    fields, fallback = FORMS[change]
    values = {name: str(form.get(name, "")).strip() for name in fields}
    try:
        if change == "note":
            add_complaint_note(ctx, complaint_id, values["note"])
        elif change == "route":
            route_complaint(
                ctx, complaint_id, values["department"] or None, values["agent"] or None
            )
        else:
            resolve_complaint(ctx, complaint_id, values["resolution"])
    except NotFound:
        raise
    except CrmError as exc:
        field = exc.field if exc.field in fields else fallback
        return _detail(
            request, ctx, complaint_id, 422, form=values, errors={field: str(exc)}, change=change
        )
    return RedirectResponse(f"/complaints/{complaint_id}?done={change}", status_code=303)


def _detail(request, ctx, complaint_id, status_code=200, form=None, errors=None, **shown):
    return page(
        request,
        "manager/complaint.html",
        status_code=status_code,
        c=complaint_timeline(ctx, complaint_id),
        zone=ctx.zone.key,
        form=form or {},
        errors=errors or {},
        **shown,
    )

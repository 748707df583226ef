"""The audit trail: who changed a phone or consent, reassigned, resolved, launched, imported."""

from __future__ import annotations

from fastapi import APIRouter, Request

from crm.actions.audit import ACTIONS, audit_page
from crm.errors import CrmError
from web.inputs import whole_number
from web.pages.day import store_of
from web.render import page

router = APIRouter()


@router.get("/audit")
def audit(request: Request):
    query = request.query_params
    action = query.get("action") or None
    before = whole_number(query.get("before", ""), 12)
    ctx = store_of(request)
    try:
        trail = audit_page(ctx, action, before)
    except CrmError as exc:
        trail = {"rows": [], "older": None, "action": action, "actions": list(ACTIONS)}
        errors = {exc.field or "action": str(exc)}
        return page(
            request, "manager/audit.html", status_code=422, trail=trail, before=None, errors=errors
        )
    return page(request, "manager/audit.html", trail=trail, before=before, errors={})

"""The SMS outbox with filters, one message, the templates with their lint, the opt-outs.

The outbox filter is a POST, as search is: a phone number never goes into a URL or a log.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm.actions.sms import lint_templates, message, opt_out, opt_out_list, outbox_page
from crm.errors import CrmError
from web.csrf import Posted
from web.inputs import row_id, whole_number
from web.pages.day import store_of
from web.render import is_htmx, page
from web.text import said, words

router = APIRouter()
FILTERS = ("status", "kind", "day", "phone")


def _locale(request: Request) -> str:
    return request.app.state.crm.settings.store.locale


def _outbox(request: Request, chosen: dict, number: int, status_code: int = 200):
    """The outbox page, or for htmx only its table, with a sentence beside a bad filter."""
    locale = _locale(request)
    ctx = store_of(request)
    errors, day = {}, None
    if chosen.get("day"):
        try:
            day = date.fromisoformat(chosen["day"])
        except ValueError:
            errors["day"] = words(locale)("date_needed")
    filters = {name: chosen.get(name) or None for name in ("status", "kind", "phone")}
    try:
        box = outbox_page(ctx, day=day, page=number, size=ctx.settings.web.page_size, **filters)
    except CrmError as exc:
        errors[exc.field or "phone"] = said(str(exc), locale)
        kept = None if "day" in errors else day
        box = outbox_page(ctx, day=kept, page=number, size=ctx.settings.web.page_size)
    template = "manager/sms.html"
    if is_htmx(request):
        template = "manager/sms_outbox.html"  # answered 200: htmx swaps no 4xx answer
    elif errors:
        status_code = 422
    return page(request, template, status_code=status_code, box=box, chosen=chosen, errors=errors)


@router.get("/sms")
def outbox(request: Request):
    query = request.query_params
    chosen = {name: query.get(name, "") for name in ("status", "kind", "day")}
    return _outbox(request, chosen, whole_number(query.get("page", "1"), 6) or 1)


@router.post("/sms")
def filtered_outbox(request: Request, form: Posted):
    chosen = {name: str(form.get(name, "")).strip() for name in FILTERS}
    return _outbox(request, chosen, whole_number(str(form.get("page", "1")), 6) or 1)


@router.get("/sms/templates")
def templates(request: Request):
    return page(
        request, "manager/sms_templates.html", findings=lint_templates(request.app.state.crm)
    )


def _opt_outs(request: Request, status_code: int = 200, **context):
    number = whole_number(request.query_params.get("page", "1"), 6) or 1
    listed = opt_out_list(store_of(request), number, request.app.state.crm.settings.web.page_size)
    context.setdefault("form", {})
    context.setdefault("errors", {})
    return page(
        request, "manager/sms_optouts.html", status_code=status_code, listed=listed, **context
    )


@router.get("/sms/opt-outs")
def opt_outs(request: Request):
    return _opt_outs(request, done=request.session.pop("opted_out", None))


@router.post("/sms/opt-outs")
def add_opt_out(request: Request, form: Posted):
    """A customer's refusal, entered by staff: consent off in this store, queued SMS cancelled."""
    phone = str(form.get("phone", "")).strip()
    try:
        done = opt_out(request.app.state.crm, phone, "manual", ctx=store_of(request))
    except CrmError as exc:
        errors = {"phone": said(str(exc), _locale(request))}
        return _opt_outs(request, 422, form={"phone": phone}, errors=errors)
    request.session["opted_out"] = done  # said once, on the page the browser is sent to
    return RedirectResponse("/sms/opt-outs", status_code=303)


@router.get("/sms/{message_id}")
def one_message(request: Request, message_id: str):
    number = row_id(message_id, "message")
    found = message(request.app.state.crm, request.state.viewer, number)
    return page(request, "manager/sms_message.html", m=found)

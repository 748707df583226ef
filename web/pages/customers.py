"""Finding a customer (search is a POST: a phone number never goes into a URL or a log)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm.actions.cases import log_inquiry
from crm.actions.desk import customer_page, search
from crm.errors import CrmError
from web.csrf import Posted
from web.inputs import row_id
from web.pages.day import store_of
from web.render import page

router = APIRouter()
TOPICS = ["model", "price", "promotion", "service", "complaint", "other"]


@router.get("/search")
def search_form(request: Request):
    return page(request, "search.html", query="", results=None, form={}, errors={}, topics=TOPICS)


@router.post("/search")
def search_page(request: Request, form: Posted):
    query = str(form.get("q", "")).strip()
    ctx = store_of(request)
    results = search(ctx, query)
    return page(
        request,
        "search.html",
        query=query,
        results=results,
        form={"phone": query if not results else ""},
        errors={},
        topics=TOPICS,
    )


@router.get("/customers/{customer}")
def customer(request: Request, customer: str):
    customer_id = row_id(customer, "customer")
    data = customer_page(request.app.state.crm, request.state.viewer, customer_id)
    return page(request, "customer.html", person=data)


@router.post("/inquiries")
def inquiry(request: Request, form: Posted):
    viewer = request.state.viewer
    values = {name: str(form.get(name, "")).strip() for name in ("phone", "name", "topic", "note")}
    ctx = store_of(request)
    try:
        logged = log_inquiry(
            ctx,
            values["phone"],
            values["topic"],
            name=values["name"] or None,
            note=values["note"] or None,
            agent_code=viewer.code if viewer.is_agent else None,
        )
    except CrmError as exc:
        return page(
            request,
            "search.html",
            status_code=422,
            query="",
            results=None,
            form=values,
            errors={exc.field or "phone": str(exc)},
            topics=TOPICS,
        )
    return RedirectResponse(f"/customers/{logged['customer_id']}?logged=1", status_code=303)

"""The call card: open it, hold it while open, log its result, then the next call opens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from crm.actions.desk import card_with_day, hold_call, log_and_next, neighbour, open_call
from crm.errors import CrmError, NotFound
from web.csrf import Posted
from web.inputs import row_id, whole_number
from web.render import is_htmx, page
from web.text import words

router = APIRouter()
FIELDS = [
    "outcome",
    "satisfaction",
    "mileage",
    "force",
    "note",
    "tags",
    "complaint",
    "complaint_text",
    "callback_at",
    "opt_out",
    "solved",
    "kind",
]
# Fields with a place for their error on the card; any other error shows under the outcome.
SHOWN = {"outcome", "satisfaction", "mileage", "complaint", "complaint_text", "callback_at"}
SHOWN |= {"solved", "opt_out"}


def kind_of(request: Request) -> str | None:
    return request.query_params.get("kind") or None


@router.get("/calls/{task}")
def card_page(request: Request, task: str):
    app, viewer = request.app.state.crm, request.state.viewer
    task_id = row_id(task, "task_id")
    if is_htmx(request):
        card = open_call(app, viewer, task_id)
        return page(request, "_card.html", card=card, form={"kind": kind_of(request)}, errors={})
    shown = card_with_day(app, viewer, task_id, kind_of(request))
    return page(request, "day.html", **shown, form={"kind": kind_of(request)}, errors={})


@router.get("/calls/{task}/next")
def next_call(request: Request, task: str):
    """J and K past the page's edge: the list's next (or previous) call."""
    step = -1 if request.query_params.get("step") == "-1" else 1
    kind = kind_of(request)
    found = neighbour(
        request.app.state.crm, request.state.viewer, row_id(task, "task_id"), step, kind
    )
    query = f"?kind={kind}" if kind else ""
    return RedirectResponse(f"/calls/{found}{query}" if found else "/day", status_code=303)


@router.post("/calls/{task}/log")
def log_result(request: Request, task: str, form: Posted):
    app, viewer = request.app.state.crm, request.state.viewer
    task_id = row_id(task, "task_id")
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    try:
        shown = log_and_next(app, viewer, task_id, **details(values))
    except NotFound:
        raise
    except CrmError as exc:
        errors = {exc.field if exc.field in SHOWN else "outcome": str(exc)}
        if is_htmx(request):
            card = open_call(app, viewer, task_id)
            return page(request, "_card.html", card=card, form=values, errors=errors)
        shown = card_with_day(app, viewer, task_id, values["kind"] or None)
        return page(request, "day.html", status_code=422, **shown, form=values, errors=errors)
    following = shown["result"]["next_task_id"]
    query = f"?kind={values['kind']}" if values["kind"] else ""
    where = f"/calls/{following}{query}" if following else f"/day{query}"
    if not is_htmx(request):
        return RedirectResponse(where, status_code=303)
    saved = words(app.settings.store.locale)("saved", what=f"#{task_id}")
    return page(
        request,
        "_logged.html",
        headers={"HX-Push-Url": where},
        card=shown["card"],
        day=shown["day"],
        form={"kind": values["kind"]},
        errors={},
        saved=saved,
    )


@router.post("/calls/{task}/hold", response_class=HTMLResponse)
def hold(request: Request, task: str, form: Posted):
    """The open card holds its call (a POST: holding changes who may log it)."""
    held = hold_call(request.app.state.crm, request.state.viewer, row_id(task, "task_id"))
    return page(request, "_claim.html", held=held)


def details(values: dict[str, str]) -> dict:
    """The form's text as the action's input; a value that is not what it should be is refused."""
    if not values["outcome"]:
        raise CrmError("choose the call's outcome", field="outcome")
    return {
        "outcome": values["outcome"],
        "kind": values["kind"] or None,
        "satisfaction": _number(values, "satisfaction", 2, "a rating from 1 to 5"),
        "mileage_km": _number(values, "mileage", 9, "the odometer in whole kilometres"),
        "force": values["force"] in ("on", "true", "1"),
        "note": values["note"] or None,
        "tags": [
            tag.strip() for tag in values["tags"].replace("，", ",").split(",") if tag.strip()
        ],
        "complaint_category": values["complaint"] or None,
        "complaint_text": values["complaint_text"] or None,
        "callback_at": _moment(values["callback_at"]),
        "opt_out": values["opt_out"] in ("on", "true", "1"),
        "solved": {"yes": True, "no": False}.get(values["solved"]),
    }


def _number(values: dict[str, str], name: str, digits: int, what: str) -> int | None:
    text = values[name].replace(",", "")
    if not text:
        return None
    number = whole_number(text, digits)
    if number is None:
        raise CrmError(f"{name} must be {what}", field=name)
    return number


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CrmError(
            "give the time to call back as a date and a time, e.g. 2026-03-12 15:00",
            field="callback_at",
        ) from None

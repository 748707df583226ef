"""The call card: open it (holding the call), log its result, then the next call opens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crm.actions.desk import (
    hold_call,
    log_call,
    my_day,
    neighbour,
    open_call,
    release_call,
    viewer_store,
)
from crm.errors import CrmError, NotFound
from web.csrf import posted
from web.render import is_htmx, page
from web.text import words

router = APIRouter()
NUMBERS = {"satisfaction": 10, "mileage": 9}  # digits a value may have before it is nonsense


def task_id_of(value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise NotFound(f"no call task {value!r}", field="task_id")
    return int(value)


@router.get("/calls/{task}")
def card_page(request: Request, task: str):
    app, viewer = request.app.state.crm, request.state.viewer
    card = open_call(app, viewer, task_id_of(task))
    if is_htmx(request):
        return page(request, "_card.html", card=card, form={}, errors={})
    day = my_day(viewer_store(app, viewer, card["store"]), viewer)
    return page(request, "day.html", day=day, card=card, form={}, errors={})


@router.get("/calls/{task}/next")
def next_call(request: Request, task: str):
    """J and K when the card is the last (or first) of the page: the list's next call."""
    step = -1 if request.query_params.get("step") == "-1" else 1
    found = neighbour(request.app.state.crm, request.state.viewer, task_id_of(task), step)
    return RedirectResponse(f"/calls/{found}" if found else "/day", status_code=303)


@router.post("/calls/{task}/log")
async def log_result(request: Request, task: str):
    form = await posted(request)
    app, viewer = request.app.state.crm, request.state.viewer
    task_id = task_id_of(task)
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    try:
        result = log_call(app, viewer, task_id, **details(values))
    except NotFound:
        raise
    except CrmError as exc:
        card = open_call(app, viewer, task_id)
        errors = {exc.field or "outcome": str(exc)}
        if is_htmx(request):
            return page(request, "_card.html", card=card, form=values, errors=errors)
        day = my_day(viewer_store(app, viewer, card["store"]), viewer)
        return page(
            request, "day.html", status_code=422, day=day, card=card, form=values, errors=errors
        )
    following = result["next_task_id"]
    if not is_htmx(request):
        return RedirectResponse(f"/calls/{following}" if following else "/day", status_code=303)
    locale = app.settings.store.locale
    saved = words(locale)("saved", what=f"#{task_id}")
    card = open_call(app, viewer, following) if following else None
    day = my_day(viewer_store(app, viewer, card["store"] if card else None), viewer)
    return page(
        request,
        "_logged.html",
        headers={"HX-Push-Url": f"/calls/{following}" if following else "/day"},
        card=card,
        day=day,
        form={},
        errors={},
        saved=saved,
    )


@router.post("/calls/{task}/hold")
async def hold(request: Request, task: str):
    await posted(request)
    mine = hold_call(request.app.state.crm, request.state.viewer, task_id_of(task))
    return Response(status_code=204 if mine else 409)


@router.post("/calls/{task}/release")
async def release(request: Request, task: str):
    await posted(request)
    release_call(request.app.state.crm, request.state.viewer, task_id_of(task))
    return Response(status_code=204)


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
]


def details(values: dict[str, str]) -> dict:
    """The form's text as the action's input; a value that is not what it should be is refused."""
    if not values["outcome"]:
        raise CrmError("choose the call's outcome", field="outcome")
    return {
        "outcome": values["outcome"],
        "satisfaction": _number(values, "satisfaction", "a rating from 1 to 5"),
        "mileage_km": _number(values, "mileage", "the odometer in whole kilometres"),
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


def _number(values: dict[str, str], name: str, what: str) -> int | None:
    text = values[name].replace(",", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > NUMBERS[name]:
        raise CrmError(f"{name} must be {what}", field=name)
    return int(text)


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CrmError(
            "give the time to call back as a date and a time", field="callback_at"
        ) from None

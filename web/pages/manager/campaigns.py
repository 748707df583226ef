"""Campaigns: a segment with a live count and samples, the text with its lint, the launch."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm.actions.planning import (
    campaign_audience,
    campaign_choices,
    campaign_text,
    launch_campaign,
    list_campaigns,
)
from crm.errors import CrmError
from web.csrf import Posted
from web.inputs import whole_number
from web.pages.day import store_of
from web.render import page
from web.text import WORDS, said, words

router = APIRouter()
MONTHS = ("min_age_months", "max_age_months")
DAYS = ("no_visit_since", "visited_since")
INVITATION = ("when", "where", "offer")  # what the invitation calls say
FIELDS = ("name", "template", "models", *MONTHS, *DAYS, "consent", "call_days", *INVITATION)
# What the live preview judges; the name and the call's days are judged at the confirmation,
# whose sentences the preview must leave in place.
PREVIEWED = ("template", *MONTHS, *DAYS, "consent")
CONSENTS = ("any", "sms", "marketing")


def read(form, locale: str) -> tuple[dict, dict, dict]:
    """The form as typed, the segment's options it gives, and a sentence for each bad field."""
    t = words(locale)
    typed = {name: str(form.get(name, "")).strip() for name in FIELDS if name != "models"}
    typed["models"] = [str(model) for model in form.getlist("models")]
    typed["with_calls"] = form.get("with_calls") == "1"
    options: dict = {"models": tuple(typed["models"]), "consent": typed["consent"] or "any"}
    errors = {}
    for name in MONTHS:
        options[name] = None
        if typed[name]:
            options[name] = whole_number(typed[name], 4)
            if options[name] is None:
                errors[name] = t("months_needed")
    for name in DAYS:
        options[name] = None
        if typed[name]:
            try:
                options[name] = date.fromisoformat(typed[name])
            except ValueError:
                errors[name] = t("date_needed")
    return typed, options, errors


def call_days(typed: dict, errors: dict, locale: str) -> int:
    days = whole_number(typed["call_days"] or "7", 2)
    if days is None or days > 60:
        errors["call_days"] = words(locale)("days_needed")
        return 7
    return days


def _locale(request: Request) -> str:
    return request.app.state.crm.settings.store.locale


def _form_page(request: Request, typed=None, errors=None, status_code: int = 200):
    ctx = store_of(request)
    launched = whole_number(request.query_params.get("launched", ""), 12)
    return page(
        request,
        "manager/campaigns.html",
        status_code=status_code,
        choices=campaign_choices(ctx),
        template_names=template_names(_locale(request)),
        consents=CONSENTS,
        form=typed or {"consent": "any", "call_days": "7", "models": []},
        errors=errors or {},
        campaigns=list(reversed(list_campaigns(ctx))),
        launched=launched,
    )


def template_names(locale: str) -> dict[str, str]:
    index = 0 if locale == "zh_CN" else 1
    return {
        key.removeprefix("template_"): said[index]
        for key, said in WORDS.items()
        if key.startswith("template_")
    }


@router.get("/campaigns")
def campaigns_page(request: Request):
    return _form_page(request)


@router.post("/campaigns/segment")
def segment(request: Request, form: Posted):
    """The live preview: how many customers, five of them, the text the first would get."""
    locale = _locale(request)
    typed, options, errors = read(form, locale)
    preview = None
    if not errors:
        try:
            preview = _preview(store_of(request), typed, options, locale)
        except CrmError as exc:
            errors[exc.field or "template"] = said(str(exc), locale)
    return page(
        request, "manager/campaigns_segment.html", preview=preview, errors=errors, fields=PREVIEWED
    )


def _preview(ctx, typed: dict, options: dict, locale: str) -> dict:
    preview = campaign_audience(ctx, **options)
    first = preview["samples"][0]["customer_id"] if preview["samples"] else None
    name = typed["name"] or template_names(locale).get(typed["template"], typed["template"])
    preview["text"] = campaign_text(ctx, typed["template"], name, first, preview["audience"])
    return preview


def _launch(request: Request, form, dry_run: bool):
    """Launch (or only count, to confirm) what the form says: (typed, result, preview, errors)."""
    locale = _locale(request)
    typed, options, errors = read(form, locale)
    days = call_days(typed, errors, locale)
    if errors:
        return typed, None, None, errors
    ctx = store_of(request)
    try:
        result = launch_campaign(
            ctx,
            typed["name"],
            typed["template"],
            with_calls=typed["with_calls"],
            call_days=days,
            dry_run=dry_run,
            **{field: typed[field] or None for field in INVITATION},
            **options,
        )
        preview = _preview(ctx, typed, options, locale) if dry_run else None
    except CrmError as exc:
        return typed, None, None, {exc.field or "name": said(str(exc), locale)}
    return typed, result, preview, {}


@router.post("/campaigns/confirm")
def confirm(request: Request, form: Posted):
    """The launch as it would be, counted without saving, for the manager to confirm."""
    typed, result, preview, errors = _launch(request, form, dry_run=True)
    if errors:
        return _form_page(request, typed, errors, status_code=422)
    return page(
        request,
        "manager/campaigns_confirm.html",
        form=typed,
        result=result,
        preview=preview,
        template_names=template_names(_locale(request)),
    )


@router.post("/campaigns/edit")
def edit(request: Request, form: Posted):
    typed, _options, _errors = read(form, _locale(request))
    return _form_page(request, typed)


@router.post("/campaigns/launch")
def launch(request: Request, form: Posted):
    typed, result, _preview, errors = _launch(request, form, dry_run=False)
    if errors:
        return _form_page(request, typed, errors, status_code=422)
    return RedirectResponse(f"/campaigns?launched={result.campaign_id}", status_code=303)

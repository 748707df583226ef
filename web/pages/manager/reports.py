"""The month-end summary: pick a month, read it as HTML, download md, xlsx or json."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crm.actions.reports import monthly_report, report_months
from crm.errors import CrmError, NotFound
from web.pages.day import store_of
from web.render import page

router = APIRouter()
MEDIA = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOWNLOADS = ("md", "xlsx", "json")


@router.get("/reports")
def reports_page(request: Request):
    ctx = store_of(request)
    asked = request.query_params.get("month", "").strip() or None
    try:
        choice = report_months(ctx, asked)
        error = None
    except CrmError as exc:
        choice, error = report_months(ctx), str(exc)
    return page(
        request,
        "manager/reports.html",
        status_code=422 if error else 200,
        store_name=ctx.name,
        choice=choice,
        shown=None if error else choice["month"],
        asked=asked,
        error=error,
        downloads=DOWNLOADS,
    )


@router.get("/reports/{month}.{fmt}")
def report_file(request: Request, month: str, fmt: str):
    """The summary in one format: the HTML inline (the page frames it), the rest as files."""
    if fmt not in MEDIA:
        raise NotFound(f"no report format {fmt!r}", field="format")
    ctx = store_of(request)
    try:
        report_months(ctx, month)
    except CrmError:
        raise NotFound(f"no report for {month!r}", field="month") from None
    content, name = monthly_report(ctx, month, fmt)
    shown = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'{shown}; filename="{name}"'},
    )

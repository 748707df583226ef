"""DMS exports by upload: a dry run with counts and rejects, then the import, and its history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from crm.actions.audit import audit_trail
from crm.actions.desk import viewer_store
from crm.errors import NotFound
from web import uploads
from web.csrf import Posted, posted
from web.pages.day import store_of
from web.render import is_htmx, page
from web.text import said, words

router = APIRouter()
HISTORY = 30


def _imports_page(request: Request, status_code: int = 200, form=None, errors=None):
    ctx = store_of(request)
    return page(
        request,
        "manager/imports.html",
        status_code=status_code,
        kinds=uploads.KINDS,
        form=form or {},
        errors=errors or {},
        running=uploads.running_in(ctx.store_id),
        history=audit_trail(ctx, action="import", limit=HISTORY),
        max_mb=uploads.MAX_BYTES // (1024 * 1024),
    )


@router.get("/imports")
def imports_page(request: Request):
    return _imports_page(request)


@router.post("/imports")
async def upload(request: Request):
    """Take the file and start its dry run; its size is checked before a byte is read."""
    t = words(request.app.state.crm.settings.store.locale)
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit() or int(declared) > uploads.MAX_BYTES + 65536:
        return await run_in_threadpool(
            _imports_page, request, 413, None, {"file": t("too_large", mb=_mb())}
        )
    form = await posted(request)
    kind, upload_ = str(form.get("kind", "")), form.get("file")
    filename = (upload_.filename or "") if isinstance(upload_, UploadFile) else ""
    refused = uploads.check_upload(kind, filename, int(declared))
    if refused:
        errors = {name: t(key, mb=_mb()) for name, key in refused.items()}
        return await run_in_threadpool(_imports_page, request, 422, {"kind": kind}, errors)
    try:
        job = await run_in_threadpool(_start, request, kind, filename, upload_)
    except uploads.Refused as exc:
        errors = {exc.field: t(exc.key, mb=_mb())}
        return await run_in_threadpool(_imports_page, request, 422, {"kind": kind}, errors)
    return RedirectResponse(f"/imports/{job.id}", status_code=303)


def _start(request: Request, kind: str, filename: str, upload_: UploadFile):
    return uploads.start(store_of(request), kind, filename, upload_.file)


def _mb() -> int:
    return uploads.MAX_BYTES // (1024 * 1024)


def _job(request: Request, job_id: str) -> uploads.Job:
    return uploads.find(job_id, request.state.viewer.may_see_store)


@router.get("/imports/{job_id}")
def job_page(request: Request, job_id: str):
    """The job's progress (polled every second while it runs), then its counts and rejects."""
    job = _job(request, job_id)
    template = "manager/imports_progress.html" if is_htmx(request) else "manager/imports_job.html"
    error = said(job.error, _locale(request)) if job.error else None
    return page(request, template, job=job, error=error)


@router.post("/imports/{job_id}/import")
def confirm(request: Request, job_id: str, form: Posted):
    job = _job(request, job_id)
    # Imported by the viewer who confirms it, on the clock of the moment they do.
    app, viewer = request.app.state.crm, request.state.viewer
    try:
        uploads.confirm(job, viewer_store(app, viewer, job.ctx.code))
    except uploads.Refused as exc:
        busy = words(_locale(request))(exc.key, mb=_mb())
        return page(request, "manager/imports_job.html", status_code=409, job=job, busy=busy)
    return RedirectResponse(f"/imports/{job.id}", status_code=303)


@router.post("/imports/{job_id}/discard")
def discard(request: Request, job_id: str, form: Posted):
    uploads.discard(_job(request, job_id))
    return RedirectResponse("/imports", status_code=303)


@router.get("/imports/{job_id}/rejects")
def rejects(request: Request, job_id: str):
    """Every rejected row with its reason, as the CLI writes it (UTF-8 with a BOM, for Excel)."""
    job = _job(request, job_id)
    if job.running or job.rejects_file is None or not job.rejects_file.is_file():
        raise NotFound(f"no rejects for import {job_id[:40]!r}", field="import")
    return FileResponse(job.rejects_file, media_type="text/csv", filename=job.rejects_file.name)


def _locale(request: Request) -> str:
    return request.app.state.crm.settings.store.locale

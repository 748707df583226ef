"""Imports by upload: the file kept in a private folder while its dry run and its import run
in a thread beside the server, their progress read by the page every second.

A job lives in this process's memory (the console is one process); its history is the
audit trail the import action writes. Its folder (the upload, 0640, and the rejects file)
goes when the import has run, when the manager discards it, or KEEP after it was made.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from crm.actions.context import StoreContext
from crm.actions.setup import import_file
from crm.errors import CrmError, NotFound

log = logging.getLogger("crm.web")

MAX_BYTES = 50 * 1024 * 1024  # a year of a big store's visits is a few MB; more is a mistake
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
KINDS = ("customers", "vehicles", "visits")
KEEP = 6 * 3600  # seconds a job's files outlive its start, unless imported or discarded
FIRST_REJECTS = 10
_CHUNK = 1 << 20


@dataclass
class Job:
    """One uploaded file: its dry run, then (once confirmed) its import."""

    id: str
    ctx: StoreContext
    kind: str
    name: str  # as uploaded, made safe for a file name
    folder: Path
    phase: str = "dry_run"  # dry_run, then import
    running: bool = True
    done: int = 0  # bytes (CSV) or rows (Excel) read so far, of `total`
    total: int = 0
    result: dict | None = None  # the finished phase's counts
    rejects: list[dict] = field(default_factory=list)  # the first few: row and reason
    rejects_file: Path | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> Path:
        return self.folder / self.name

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def imported(self) -> bool:
        return self.phase == "import" and not self.running and self.error is None


class Refused(Exception):
    """The upload cannot be taken: `key` names the page's sentence, `field` where it goes."""

    def __init__(self, field: str, key: str):
        super().__init__(key)
        self.field, self.key = field, key


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def safe_name(filename: str) -> str:
    """The uploaded file's own name, without a path or characters a file name should not have."""
    name = re.sub(r"[^\w.\-()（） ]", "_", Path(filename.replace("\\", "/")).name).strip(" .")
    stem, suffix = os.path.splitext(name)
    return (stem[:80] or "upload") + suffix.lower()


def check_upload(kind: str, filename: str, declared: int | None) -> dict[str, str]:
    """What is wrong with the upload before its bytes are read: field -> sentence key."""
    errors = {}
    if kind not in KINDS:
        errors["kind"] = "choose_kind"
    if not filename:
        errors["file"] = "choose_file"
    elif Path(filename).suffix.lower() not in SUFFIXES:
        errors["file"] = "wrong_type"
    if declared is not None and declared > MAX_BYTES + 65536:  # the form's own bytes besides
        errors["file"] = "too_large"
    return errors


def start(ctx: StoreContext, kind: str, filename: str, source) -> Job:
    """Keep the upload in a private folder and start its dry run; Refused if it cannot."""
    folder = Path(tempfile.mkdtemp(prefix="crm-import-"))  # 0700: this user's alone
    job = Job(secrets.token_urlsafe(16), ctx, kind, safe_name(filename), folder)
    with _lock:  # checked and taken at once: two uploads cannot both find the store idle
        _sweep()
        busy = any(other.running and other.ctx.store_id == ctx.store_id for other in _jobs.values())
        if not busy:
            _jobs[job.id] = job
    try:
        if busy:
            raise Refused("file", "busy_import")
        _save(source, job.path)
    except BaseException:
        with _lock:
            _jobs.pop(job.id, None)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _run(job)
    return job


def _save(source, path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    written = 0
    with os.fdopen(descriptor, "wb") as target:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > MAX_BYTES:
                raise Refused("file", "too_large")
            target.write(chunk)
    if written == 0:
        raise Refused("file", "empty_file")


def find(job_id: str, may_see_store) -> Job:
    """The job, if the viewer may see its store; any other is a page that does not exist."""
    with _lock:
        job = _jobs.get(job_id)
    if job is None or not may_see_store(job.ctx.store_id):
        raise NotFound(f"no import {job_id[:40]!r}", field="import")
    return job


def running_in(store_id: int) -> Job | None:
    with _lock:
        return next((j for j in _jobs.values() if j.running and j.ctx.store_id == store_id), None)


def confirm(job: Job, ctx: StoreContext) -> None:
    """Import the file the dry run checked, as `ctx`'s actor on its clock (once, and only
    after a dry run that read the file); Refused while another of the store's jobs runs."""
    with _lock:
        if job.running or job.phase != "dry_run" or job.error is not None:
            return
        # Two checked files of one store confirmed together would import side by side.
        if any(
            other.running and other.ctx.store_id == job.ctx.store_id for other in _jobs.values()
        ):
            raise Refused("file", "busy_import")
        job.ctx, job.phase, job.running, job.done, job.result = ctx, "import", True, 0, None
    _run(job)


def discard(job: Job) -> None:
    with _lock:
        if job.running:
            return
        _jobs.pop(job.id, None)
    shutil.rmtree(job.folder, ignore_errors=True)


def _run(job: Job) -> None:
    threading.Thread(target=_work, args=(job,), name=f"import-{job.id[:6]}", daemon=True).start()


def _work(job: Job) -> None:
    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    try:
        result = import_file(
            job.ctx, job.kind, job.path, dry_run=job.phase == "dry_run", progress=progress
        )
        job.result = result.as_json()
        job.rejects_file = Path(result.rejects_file) if result.rejects_file else None
        job.rejects = first_rejects(job.rejects_file)
    except CrmError as exc:
        job.error = str(exc)
    except Exception:  # a thread's failure would otherwise vanish: the page says so
        log.exception("import %s of %s failed", job.kind, job.name)
        job.error = "the import failed unexpectedly; the server's log has the details"
    finally:
        if job.phase == "import":
            job.path.unlink(missing_ok=True)  # imported (or failed): the upload has served
        job.running = False


def first_rejects(path: Path | None, n: int = FIRST_REJECTS) -> list[dict]:
    """The first rejected rows: their row number and reason (the file's last two columns)."""
    if path is None:
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        rows = []
        for cells in reader:
            rows.append({"row": cells[-2], "reason": cells[-1], "cells": cells[:-2]})
            if len(rows) == n:
                break
    return rows


def _sweep() -> None:
    """Forget jobs older than KEEP and delete their files (called under the lock)."""
    now = time.monotonic()
    for job_id, job in list(_jobs.items()):
        if not job.running and now - job.started > KEEP:
            del _jobs[job_id]
            shutil.rmtree(job.folder, ignore_errors=True)

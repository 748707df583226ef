"""The month-end service summary (月度工作总结): figures, narrative, charts and files.

`build_report` gathers the figures (SQL aggregation in `figures/`), `render` turns a
report into one of the formats, and `write_reports` saves the files the scheduler
leaves in `reports/` as `{store}-{YYYY-MM}.{ext}`.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from crm.config import REPORT_FORMATS, Settings
from crm.errors import UsageError
from crm.models import Store
from crm.report.periods import Month
from crm.report.summary import MonthlyReport, build_report

__all__ = [
    "Month",
    "MonthlyReport",
    "build_report",
    "file_name",
    "render",
    "write_file",
    "write_reports",
]


def render(report: MonthlyReport, fmt: str) -> bytes:
    """The report in format `fmt` (md, html, json or xlsx), as the bytes of its file."""
    # Each format imports its own code: JSON needs neither templates, nor matplotlib for
    # the charts, nor openpyxl for the workbook (together most of the command's time).
    if fmt == "json":
        return (json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt in ("md", "html"):
        from crm.report import formats

        return (formats.markdown if fmt == "md" else formats.html)(report).encode("utf-8")
    if fmt == "xlsx":
        from crm.report.xlsx import xlsx

        return xlsx(report)
    raise UsageError(f"unknown report format {fmt!r} (known: {', '.join(REPORT_FORMATS)})")


def file_name(store: str, month: Month, fmt: str) -> str:
    return f"{store}-{month}.{fmt}"


FILE_MODE, FOLDER_MODE = 0o640, 0o750  # customer data: owner and group (a manager) only


def write_file(
    path: Path, content: bytes, *, replace: bool = True, protected: tuple[Path, ...] = ()
) -> None:
    """Write `content` whole or not at all: a reader never sees half a report.

    Only a regular file is ever replaced, and only with `replace` (a front end asks
    the user first); the `protected` files (the database) never. A folder, a pipe or a device
    at `path` is refused, as is a path under something that is not a folder.
    """
    if path.exists() and not path.is_file():
        raise UsageError(
            f"cannot write {path}: it is {_kind(path)}, not a regular file", field="output"
        )
    if any(path.resolve() == other.resolve() for other in protected):
        raise UsageError(f"cannot write {path}: it is the database", field="output")
    if path.exists() and not replace:
        raise UsageError(f"{path} exists already", field="output", override="force")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(
                    f"cannot write {path}: {parent} is a file, not a folder", field="output"
                )
            break
    try:
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        # mkstemp makes 0600: the service's group (the manager's account) must read it.
        os.chmod(temporary, FILE_MODE)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", field="output") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror}", field="output") from None
        raise


def _kind(path: Path) -> str:
    if path.is_dir():
        return "a folder"
    if path.is_fifo():
        return "a pipe"
    if path.is_char_device() or path.is_block_device():
        return "a device"
    return "a socket" if path.is_socket() else "something else"


def write_reports(
    session: Session, store: Store, month: Month, settings: Settings, now: datetime
) -> list[Path]:
    """Build the month's report once and write it in every configured format."""
    report = build_report(session, store, month, settings, now)
    folder = Path(settings.report.output_dir)
    written = []
    for fmt in settings.report.formats:
        path = folder / file_name(store.code, month, fmt)
        write_file(path, render(report, fmt))
        written.append(path)
    return written

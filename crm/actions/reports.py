"""The month-end service summary (月度工作总结) and what each of its figures counts."""

from __future__ import annotations

from pathlib import Path

from crm.actions.context import StoreContext
from crm.app import App


def monthly_report(ctx: StoreContext, month: str, fmt: str) -> tuple[bytes, str]:
    """The summary of `month` (YYYY-MM, store time) in `fmt`, and its file's usual name."""
    from crm.report import Month, build_report, file_name, render

    wanted = Month.parse(month)
    with ctx.session() as session:
        report = build_report(session, ctx.store(session), wanted, ctx.settings, ctx.now)
    return render(report, fmt), file_name(ctx.code, wanted, fmt)


def write_monthly_report(ctx: StoreContext, month: str, fmt: str, path: Path | None = None) -> Path:
    """Write the summary to `path`, by default into the report folder under its usual name."""
    from crm.report import write_file

    content, name = monthly_report(ctx, month, fmt)
    path = path or Path(ctx.settings.report.output_dir) / name
    write_file(path, content)
    return path


def definitions(app: App) -> list[dict]:
    """What each figure of the summary counts, in the store's language."""
    from crm.report.definitions import DEFINITIONS, label, text

    locale = app.settings.store.locale
    window = app.settings.report.conversion_window_days
    return [
        {
            "key": d.key,
            "unit": d.unit.value,
            "figure": label(d.key, locale),
            "definition": text(d.key, locale, window),
        }
        for d in DEFINITIONS
    ]


def definitions_markdown(app: App) -> str:
    from crm.report.definitions import markdown_table

    return markdown_table(app.settings.store.locale, app.settings.report.conversion_window_days)

"""The month-end service summary (月度工作总结) and what each of its figures counts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crm.actions.context import StoreContext
from crm.app import App


def monthly_report(ctx: StoreContext, month: str, fmt: str) -> tuple[bytes, str]:
    """The summary of `month` (YYYY-MM, store time) in `fmt`, and its file's usual name."""
    from crm.report import Month, build_report, file_name, render

    wanted = Month.parse(month)
    with ctx.session() as session:
        report = build_report(session, ctx.store(session), wanted, ctx.settings, ctx.now)
    return render(report, fmt), file_name(ctx.code, wanted, fmt)


def report_months(ctx: StoreContext, month: str | None = None, earlier: int = 12) -> dict:
    """The month to show (default: the latest one due, last month) and the months to pick
    from: this one so far and the `earlier` before it. A month not begun is refused."""
    from crm.errors import UsageError
    from crm.report import Month

    this = Month.of(ctx.today)
    try:
        chosen = Month.parse(month) if month else due_month(ctx.now, ctx.zone)
    except UsageError as exc:
        raise UsageError(str(exc), field="month") from None
    if chosen.first_day > ctx.today:  # as the summary itself refuses it
        raise UsageError(
            f"{chosen} has not started yet in store {ctx.code} (today is {ctx.today}); "
            f"ask for {this.previous()} or earlier",
            field="month",
        )
    return {
        "month": str(chosen),
        "months": [str(this.shift(-n)) for n in range(earlier + 1)],
    }


def write_monthly_report(
    ctx: StoreContext, month: str, fmt: str, path: Path | None = None, force: bool = False
) -> Path:
    """Write the summary to `path` (an existing file only with `force`, the database never).

    Without a path it goes into the report folder under its usual name, replaced freely.
    """
    from crm.report import write_file

    content, name = monthly_report(ctx, month, fmt)
    replace = force or path is None
    path = path or Path(ctx.settings.report.output_dir) / name
    write_file(path, content, replace=replace, protected=ctx.app.database_files())
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


def due_month(now: datetime, zone: ZoneInfo, hour: int = 10):
    """The latest month whose report is due at `now` in `zone`: last month from `hour`
    (report.scheduled_hour) on the 1st."""
    from crm.report.schedule import due_month as due

    return due(now, zone, hour)


def write_due_reports(ctx: StoreContext, only_missing: bool = False) -> list[Path]:
    """Write the store's due month in every configured format; safe to repeat (files are
    replaced whole).

    With `only_missing` (the hourly job), only what is missing or out of date: the due
    month when one of its files is not there yet, and any month written before whose
    visits were imported since. A month that ended before the store went live gets none.
    """
    from crm.report import file_name, schedule, write_reports

    month = due_month(ctx.now, ctx.zone, ctx.settings.report.scheduled_hour)
    folder = Path(ctx.settings.report.output_dir)
    formats = ctx.settings.report.formats
    written: list[Path] = []
    with ctx.session() as session:
        store = ctx.store(session)
        months = [] if schedule.before_go_live(month, store, ctx.zone) else [month]
        if only_missing:
            done = schedule.written(session, ctx.store_id)
            present = all((folder / file_name(ctx.code, month, f)).exists() for f in formats)
            if months and present and month in done:
                months = []
            months += [
                m
                for m in schedule.outdated(session, store, ctx.zone, done, ctx.now)
                if m not in months
            ]
        for each in sorted(months):
            paths = write_reports(session, store, each, ctx.settings, ctx.now)
            schedule.record_written(
                session, ctx.store_id, each, ctx.actor, ctx.now, [p.name for p in paths]
            )
            written += paths
    return written

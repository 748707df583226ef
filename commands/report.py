"""The month-end summary: `crm report monthly|definitions`."""

from __future__ import annotations

from pathlib import Path

import click

from commands.base import (
    CrmGroup,
    out,
    print_json,
    rich_table,
    store_context,
    store_option,
    working,
)
from crm.app import App
from crm.errors import UsageError


def register(main: click.Group) -> None:
    main.add_command(report)


@click.group(cls=CrmGroup)
def report():
    """The month-end service summary (月度工作总结): figures, narrative, charts, files."""


@report.command("monthly")
@click.argument("month")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json", "xlsx"]),
    default="md",
    show_default=True,
    help="Markdown for pasting, one self-contained HTML page, JSON, or an Excel workbook.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),  # a folder is refused in one line by the action
    help="File to write (md and json print to the terminal without it; html and xlsx go "
    "to the report folder as {store}-{YYYY-MM}.{ext}).",
)
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
@click.pass_obj
def report_monthly(
    app: App, month: str, store: str | None, fmt: str, output: Path | None, force: bool
):
    """The summary of MONTH (YYYY-MM, store time) with last month beside it.

    Example: crm report monthly 2026-02 --format html -o 2026-02.html
    """
    from crm.actions.reports import monthly_report, write_monthly_report

    ctx = store_context(app, store)
    if output is None and fmt in ("md", "json"):
        with working(f"summarising {month}"):
            content, _name = monthly_report(ctx, month, fmt)
        click.echo(content.decode("utf-8"), nl=False)
        return
    try:
        with working(f"summarising {month}"):
            path = write_monthly_report(ctx, month, fmt, output, force)
    except UsageError as exc:
        if exc.field != "output" or exc.override:
            raise
        raise UsageError(f"{exc}; choose another -o PATH") from None
    click.echo(f"wrote {path}")


@report.command("definitions")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table")
@click.pass_obj
def report_definitions(app: App, fmt: str):
    """What each figure of the monthly summary counts (the report's appendix).

    Example: crm report definitions --format md
    """
    from crm.actions.reports import definitions, definitions_markdown

    if fmt == "md":
        click.echo(definitions_markdown(app))
        return
    rows = definitions(app)
    if fmt == "json":
        print_json(rows)
        return
    table = rich_table("key", "figure", "definition")
    for row in rows:
        table.add_row(row["key"], row["figure"], row["definition"])
    out.print(table)

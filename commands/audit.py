"""The audit trail: `crm audit list`."""

from __future__ import annotations

import json

import click

from commands.base import (
    ROW_ID,
    CrmGroup,
    emit,
    format_option,
    out,
    rich_table,
    store_context,
    store_option,
)
from crm.app import App

COLUMNS = ["id", "at", "actor", "action", "customer_id", "customer", "subject", "detail"]


def register(main: click.Group) -> None:
    main.add_command(audit)


@click.group(cls=CrmGroup)
def audit():
    """Who changed what: phones, consent, reassignments, complaints, campaigns, imports."""


@audit.command("list")
@click.option(
    "--action",
    metavar="ACTION",
    help="Only this kind of change: consent, customer_phone, reassign, complaint_resolve, …",
)
@click.option("--customer", type=ROW_ID, metavar="ID", help="Only this customer's changes.")
@click.option("--before", type=ROW_ID, metavar="ID", help="Older than this row (to page back).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def audit_list(app: App, action, customer, before, limit, store, fmt):
    """The store's recorded changes, newest first.

    Example: crm audit list --action consent --limit 20
    """
    from crm.actions.audit import audit_trail

    rows = audit_trail(store_context(app, store), customer, action, before, limit)
    if fmt == "csv":
        rows = [{**row, "detail": json.dumps(row["detail"], ensure_ascii=False)} for row in rows]

    def table():
        sheet = rich_table(box="SIMPLE_HEAD")
        for column in ("id", "at", "actor", "action", "customer", "subject", "detail"):
            sheet.add_column(column, overflow="fold")
        for row in rows:
            sheet.add_row(
                str(row["id"]),
                row["at"],
                row["actor"],
                row["action"],
                row["customer"] or "",
                row["subject"],
                json.dumps(row["detail"], ensure_ascii=False),
            )
        out.print(sheet)

    emit(rows, fmt, table, COLUMNS)

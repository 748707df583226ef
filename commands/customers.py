"""Customers at the desk: `crm customers find|show|add|edit|mark|lapsed`."""

from __future__ import annotations

import click

from commands.base import (
    COUNT,
    CrmGroup,
    emit,
    format_option,
    out,
    print_json,
    rich_table,
    store_context,
    store_option,
)
from crm.app import App

STATUSES = ["active", "lost", "deceased"]
CONSENT = click.Choice(["yes", "no"])


def register(main: click.Group) -> None:
    main.add_command(customers)


@click.group(cls=CrmGroup)
def customers():
    """Customers: find one, read their history, add, edit, mark lost or deceased."""


@customers.command("find")
@click.argument("query")
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def customers_find(app: App, query: str, store: str | None, fmt: str):
    """Customers by phone in any format, plate, name (its start), VIN or DMS code.

    Example: crm customers find "138 0013 8000"
    """
    from crm.actions import readable_phone
    from crm.actions.customers import find_customers

    rows = find_customers(store_context(app, store), query)
    for row in rows:
        row["cars"] = " / ".join(
            " ".join(filter(None, (car["plate"], car["model"]))) for car in row["vehicles"]
        )

    def table():
        if not rows:
            out.print(f"no customer matches {query!r}")
            return
        sheet = rich_table("id", "code", "name", "phone", "cars", "status")
        for row in rows:
            sheet.add_row(
                str(row["customer_id"]),
                row["customer_code"] or "",
                row["name"],
                readable_phone(row["phone"]),
                row["cars"],
                row["status"],
            )
        out.print(sheet)

    columns = ["customer_id", "customer_code", "name", "phone", "cars", "status", "is_lead"]
    emit(rows, fmt, table, columns)


@customers.command("lapsed")
@click.option("--limit", type=COUNT, help="At most this many cars (longest lapsed first).")
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def customers_lapsed(app: App, limit: int | None, store: str | None, fmt: str):
    """流失预警: cars not in for months or long past their maintenance, longest first.

    Example: crm customers lapsed --format csv > lapsed.csv
    """
    from crm.actions import readable_phone
    from crm.actions.customers import lapsed_customers

    rows = lapsed_customers(store_context(app, store), limit)

    def table():
        if not rows:
            out.print("no lapsed customers")
            return
        sheet = rich_table()
        for column in ("customer", "phone", "car", "last in", "lapsed since", "call"):
            sheet.add_column(column, no_wrap=column in ("phone", "last in"))
        for row in rows[: limit or 30]:
            why = "保养逾期" if row["why"] == "overdue" else "未回店"
            call = (
                f"#{row['lapsed_call']} {row['lapsed_call_status']}" if row["lapsed_call"] else "-"
            )
            sheet.add_row(
                row["customer"],
                readable_phone(row["phone"]),
                " ".join(filter(None, (row["plate"], row["model"]))),
                row["last_in"],
                f"{row['lapsed_since']} {why}",
                call,
            )
        out.print(sheet)
        out.print(f"{len(rows)} lapsed cars")

    emit(rows, fmt, table)


@customers.command("show")
@click.argument("ref", metavar="CODE|ID|PHONE")
@store_option
@format_option()
@click.pass_obj
def customers_show(app: App, ref: str, store: str | None, fmt: str):
    """A customer's whole history: cars, visits, calls, SMS, complaints, open calls.

    Example: crm customers show C0101   (or id:42, or a phone)
    """
    from commands.calls import print_history
    from crm.actions.customers import show_customer

    data = show_customer(store_context(app, store), ref)
    if fmt == "json":
        print_json(data)
    else:
        print_history(data)


def _consent(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


@customers.command("add")
@click.option("--name", required=True, help="The customer's name, e.g. 王建国.")
@click.option("--phone", required=True, help="A mobile, however written: 138 0013 8000.")
@click.option("--code", "customer_code", help="The DMS customer code, if there is one.")
@click.option("--sms", type=CONSENT, default="yes", show_default=True, help="May we send SMS?")
@click.option("--occupation", help="Their occupation, for the talking points.")
@click.option("--hobbies", help="What they like, for the talking points.")
@click.option("--family", "family_notes", help="Family notes, for the talking points.")
@store_option
@format_option("text", "json")
@click.pass_obj
def customers_add(app: App, store: str | None, fmt: str, sms: str, **given):
    """A customer typed in at the desk (a walk-in, a caller not in the DMS yet).

    Example: crm customers add --name 王建国 --phone 13800138000 --sms no
    """
    from crm.actions.customers import add_customer

    done = add_customer(store_context(app, store), sms_consent=_consent(sms), **given)
    if fmt == "json":
        print_json(done)
    else:
        click.echo(f"customer {done['customer_id']} ({done['name']}, {done['phone']}) added")


@customers.command("edit")
@click.argument("ref", metavar="CODE|ID|PHONE")
@click.option("--name", help="The corrected name.")
@click.option("--phone", help="The new number; it is valid again until proved wrong.")
@click.option("--sms", type=CONSENT, help="no: withdraw SMS consent (queued SMS are cancelled).")
@click.option("--occupation", help="Their occupation.")
@click.option("--hobbies", help="What they like.")
@click.option("--family", "family_notes", help="Family notes.")
@store_option
@format_option("text", "json")
@click.pass_obj
def customers_edit(app: App, ref: str, store: str | None, fmt: str, sms: str | None, **changes):
    """Change a customer's name, phone, SMS consent or notes; phone and consent are audited.

    Example: crm customers edit C0101 --phone "139 0000 1111"
    """
    from crm.actions.customers import edit_customer

    done = edit_customer(store_context(app, store), ref, sms_consent=_consent(sms), **changes)
    if fmt == "json":
        print_json(done)
    elif done["changed"]:
        click.echo(
            f"customer {done['customer_id']} ({done['name']}): {', '.join(done['changed'])} changed"
        )
    else:
        click.echo(f"customer {done['customer_id']} ({done['name']}): nothing to change")


@customers.command("mark")
@click.argument("ref", metavar="CODE|ID|PHONE")
@click.option(
    "--status", required=True, type=click.Choice(STATUSES), help="lost, deceased or active."
)
@click.option("--reason", default="", help="Why (required for lost and deceased), e.g. 家属告知.")
@store_option
@format_option("text", "json")
@click.pass_obj
def customers_mark(app: App, ref: str, status: str, reason: str, store: str | None, fmt: str):
    """Mark a customer lost or deceased: their open calls and queued SMS end at once.

    Example: crm customers mark C0101 --status deceased --reason 家属来电告知
    """
    from crm.actions.customers import mark_customer

    done = mark_customer(store_context(app, store), ref, status, reason)
    if fmt == "json":
        print_json(done)
    elif not done["changed"]:
        click.echo(f"customer {done['customer_id']} ({done['name']}) is already {status}")
    else:
        click.echo(
            f"customer {done['customer_id']} ({done['name']}) marked {status}; "
            f"{done['calls_cancelled']} open calls and {done['sms_cancelled']} queued SMS cancelled"
        )

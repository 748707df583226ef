"""Complaints and inquiries: `crm complaints add|list|show|note|route|resolve`, `crm inquiries`."""

from __future__ import annotations

import click

from commands.base import (
    ROW_ID,
    CrmGroup,
    emit,
    format_option,
    iso_date,
    out,
    print_json,
    rich_table,
    store_context,
    store_option,
)
from crm.app import App

COMPLAINT_COLUMNS = [
    "complaint_id",
    "customer",
    "phone",
    "category",
    "department",
    "status",
    "received_at",
    "respond_by",
    "resolve_by",
    "first_response_at",
    "resolved_at",
    "overdue",
    "overdue_reason",
    "missed_deadlines",
    "text",
]
INQUIRY_COLUMNS = [
    "inquiry_id",
    "received_at",
    "phone",
    "customer",
    "topic",
    "new_lead",
    "agent",
    "note",
]
TOPICS = ["model", "price", "promotion", "service", "complaint", "other"]


def named(code: str | None, locale: str) -> str:
    """A stored code (category, department) in the store's words."""
    from crm.actions.names import display_name

    return display_name(code, locale)


def register(main: click.Group) -> None:
    main.add_command(complaints)
    main.add_command(inquiries)


@click.group(cls=CrmGroup)
def complaints():
    """Complaints (投诉), followed until the customer says they are solved."""


@complaints.command("add")
@click.option("--customer", required=True, metavar="REF", help="Customer id, DMS code or phone.")
@click.option(
    "--category",
    required=True,
    help="In Chinese or as its code: 车辆质量 vehicle_quality, 维修质量 service_quality, "
    "等待维修时间过长 waiting_time, 服务态度 staff_attitude, 价格 price, 配件 parts, "
    "销售 sales, 其他 other.",
)
@click.option("--text", required=True, help="The complaint in the customer's words.")
@click.option("--vin", help="The car it is about.")
@click.option("--agent", metavar="CODE", help="Who took it (gets its follow-up calls).")
@store_option
@format_option("text", "json")
@click.pass_obj
def complaints_add(app: App, customer, category, text, vin, agent, store, fmt):
    """Record a complaint; it is routed and its first follow-up call is due at once.

    Example: crm complaints add --customer 13812345678 --category 等待维修时间过长 --text 等了三小时
    """
    from crm.actions.cases import open_complaint
    from crm.actions.names import complaint_category

    locale = app.settings.store.locale
    category = complaint_category(category, locale)
    data = open_complaint(store_context(app, store), customer, category, text, vin, agent)
    if fmt == "json":
        print_json(data)
        return
    click.echo(
        f"complaint {data['complaint_id']} opened for {data['customer']}: "
        f"{named(data['category'], locale)} -> {named(data['department'], locale)}; "
        f"respond by {data['respond_by']}, resolve by {data['resolve_by']}"
    )


@complaints.command("list")
@click.option(
    "--status", default="open", show_default=True, type=click.Choice(["open", "resolved", "all"])
)
@click.option("--overdue", is_flag=True, help="Only open complaints past a deadline.")
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def complaints_list(app: App, status: str, overdue: bool, store: str | None, fmt: str):
    """Complaints by status; --overdue shows the ones past their deadlines.

    Example: crm complaints list --overdue
    """
    from crm.actions.cases import list_complaints

    rows = list_complaints(store_context(app, store), status, overdue)
    locale = app.settings.store.locale

    def table():
        sheet = rich_table(box="SIMPLE_HEAD")
        for column in ("id", "customer", "category", "status", "received", "late", "text"):
            sheet.add_column(column, overflow="fold")
        for row in rows:
            # A closed complaint keeps the deadlines it missed; red while still overdue.
            late = row["missed_deadlines"] or ""
            if row["overdue"]:
                late = f"[red]{row['overdue_reason']}[/red]"
            sheet.add_row(
                str(row["complaint_id"]),
                row["customer"],
                named(row["category"], locale),
                row["status"],
                row["received_at"][:10],
                late,
                row["text"],
            )
        out.print(sheet)

    emit(rows, fmt, table, COMPLAINT_COLUMNS)


def complaint_store(app: App, complaint_id: int):
    """The complaint's own store (its number is unique across stores), the CLI user acting."""
    from crm.actions.cases import complaint_context

    return store_context(app, complaint_context(app, complaint_id).code)


@complaints.command("show")
@click.argument("complaint_id", type=ROW_ID)
@format_option()
@click.pass_obj
def complaints_show(app: App, complaint_id: int, fmt: str):
    """One complaint: deadlines, resolution, and its timeline (calls, notes, routing).

    Example: crm complaints show 7
    """
    from crm.actions.cases import complaint_timeline

    data = complaint_timeline(complaint_store(app, complaint_id), complaint_id)
    if fmt == "json":
        print_json(data)
        return
    locale = app.settings.store.locale
    owner = f" · owner {data['owner']['code']}" if data["owner"] else ""
    out.print(
        f"[bold]complaint {data['complaint_id']}[/bold] · {data['customer']} "
        f"{data['phone']} · {named(data['category'], locale)} -> "
        f"{named(data['department'], locale)}{owner} · {data['status']}"
    )
    out.print(f"  {data['text']}")
    for label in ("respond_by", "first_response_at", "resolve_by", "confirmed_at"):
        if data[label]:
            out.print(f"  {label.replace('_', ' ')}: {data[label]}")
    if data["overdue"]:
        out.print(f"  [red]overdue: {data['overdue_reason']}[/red]")
    elif data["missed_deadlines"]:
        out.print(f"  missed: {data['missed_deadlines']}")
    for step in data["timeline"]:
        said = " ".join(
            str(part) for part in (step["by"], step.get("outcome"), step["text"]) if part
        )
        out.print(f"  {step['at']} {step['event'].replace('_', ' ')}: {said}", markup=False)


@complaints.command("note")
@click.argument("complaint_id", type=ROW_ID)
@click.option("--note", required=True, help="What was done or learnt.")
@click.pass_obj
def complaints_note(app: App, complaint_id: int, note: str):
    """Add a progress note to a complaint's timeline.

    Example: crm complaints note 7 --note 已联系厂家，配件周五到店
    """
    from crm.actions.cases import add_complaint_note

    added = add_complaint_note(complaint_store(app, complaint_id), complaint_id, note)
    click.echo(f"note added to complaint {added['complaint_id']} by {added['author']}")


@complaints.command("route")
@click.argument("complaint_id", type=ROW_ID)
@click.option("--department", help="The department now answerable (see [complaints.departments]).")
@click.option("--agent", metavar="CODE", help="The new owner; the complaint's open calls follow.")
@click.pass_obj
def complaints_route(app: App, complaint_id: int, department: str | None, agent: str | None):
    """Send a complaint to another department or owner; recorded in the audit trail.

    Example: crm complaints route 7 --department parts --agent a02
    """
    from crm.actions.cases import route_complaint

    done = route_complaint(complaint_store(app, complaint_id), complaint_id, department, agent)
    moved = ", ".join(
        f"{what} {old or '-'} -> {new}" for what, (old, new) in done["changed"].items()
    )
    click.echo(f"complaint {done['complaint_id']}: {moved}")


@complaints.command("resolve")
@click.argument("complaint_id", type=ROW_ID)
@click.option("--resolution", required=True, help="What was done.")
@click.option("--agent", metavar="CODE", help="Who calls the customer to confirm.")
@click.pass_obj
def complaints_resolve(app: App, complaint_id: int, resolution: str, agent: str | None):
    """The store solved it: a call to confirm with the customer comes due.

    Logging that call with `crm calls log ID --solved` closes the complaint;
    `--not-solved` reopens it with a progress call at once.

    Example: crm complaints resolve 7 --resolution 更换刹车片并退还工时费
    """
    from crm.actions.cases import resolve_complaint

    ctx = complaint_store(app, complaint_id)
    done = resolve_complaint(ctx, complaint_id, resolution, agent)
    click.echo(
        f"complaint {done['complaint_id']} resolved; a confirmation call is on the list: "
        "log it with --solved to close the complaint or --not-solved to reopen it"
    )


@click.group(cls=CrmGroup)
def inquiries():
    """Inbound calls (咨询电话) and the leads they bring."""


@inquiries.command("log")
@click.option("--phone", required=True, help="The caller's number.")
@click.option("--topic", required=True, type=click.Choice(TOPICS))
@click.option("--name", help="The caller's name, for a new lead.")
@click.option("--note", help="What they need.")
@click.option("--agent", metavar="CODE", help="Who took the call.")
@store_option
@format_option("text", "json")
@click.pass_obj
def inquiries_log(app: App, phone, topic, name, note, agent, store, fmt):
    """Record an inbound call; an unknown number becomes a lead (潜在客户).

    Example: crm inquiries log --phone 13812345678 --topic price --name 张先生 --note 问途观L报价
    """
    from crm.actions.cases import log_inquiry

    data = log_inquiry(store_context(app, store), phone, topic, name, note, agent)
    if fmt == "json":
        print_json(data)
        return
    who = "new lead" if data["new_lead"] else "customer"
    click.echo(
        f"inquiry {data['inquiry_id']} logged: {data['topic']} from {who} "
        f"{data['customer']} ({data['phone']})"
    )
    if topic == "complaint":
        click.echo(
            f"  a complaint? record it: crm complaints add --customer {data['customer_id']} "
            "--category CATEGORY --text TEXT"
        )


@inquiries.command("list")
@click.option(
    "--since",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="First day (default: 30 days before --until).",
)
@click.option(
    "--until",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="Last day (default: today, store time).",
)
@click.option("--topic", help="Only this topic.")
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def inquiries_list(app: App, since, until, topic, store, fmt):
    """Inbound calls received, oldest first.

    Example: crm inquiries list --since 2026-03-01 --format csv
    """
    from crm.actions.cases import list_inquiries

    rows = list_inquiries(store_context(app, store), since, until, topic)

    def table():
        sheet = rich_table(box="SIMPLE_HEAD")
        for column in ("id", "received", "phone", "customer", "topic", "lead", "note"):
            sheet.add_column(column, overflow="fold")
        for row in rows:
            sheet.add_row(
                str(row["inquiry_id"]),
                row["received_at"][:16],
                row["phone"],
                row["customer"] or "",
                row["topic"],
                "new" if row["new_lead"] else "",
                row["note"] or "",
            )
        out.print(sheet)

    emit(rows, fmt, table, INQUIRY_COLUMNS)

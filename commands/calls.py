"""The call desk: `crm calls list|show|log|assign`."""

from __future__ import annotations

import click

from commands.base import (
    COUNT,
    ROW_ID,
    CrmGroup,
    cli_actor,
    date_option,
    emit,
    format_option,
    local_datetime,
    out,
    print_json,
    rich_table,
    store_context,
    store_option,
    write_file_bytes,
)
from crm.app import App

TABLE_PAGE = 30  # a screenful to work from; scripts take --format json or csv for all
CALL_COLUMNS = [
    "task_id",
    "kind",
    "customer",
    "customer_code",
    "phone",
    "model",
    "plate",
    "vin",
    "window_start",
    "due_date",
    "overdue",
    "days_overdue",
    "attempts",
    "last_contact_at",
    "last_outcome",
    "callback_at",
    "agent",
    "reason",
    "talking_points",
    "notes",
]
OUTCOMES = ["reached", "no_answer", "busy", "wrong_number", "declined", "callback_later"]


def register(main: click.Group) -> None:
    main.add_command(calls)


@click.group(cls=CrmGroup)
def calls():
    """The call desk: the day's list, results, assignment."""


@calls.command("list")
@date_option()
@click.option("--agent", "agent", metavar="CODE", help="Only this agent's calls.")
@click.option(
    "--limit",
    type=COUNT,
    help="At most this many calls (the table shows the first 30 unless told).",
)
@store_option
@format_option("table", "json", "csv", "xlsx")
@click.pass_obj
def calls_list(app: App, day, agent: str | None, limit: int | None, store: str | None, fmt: str):
    """The day's calls: overdue first, then by due date, with what to say.

    csv (with a BOM, for Excel) and xlsx are for a spreadsheet: phones as people write them.

    Example: crm calls list --agent a01, or crm calls list --format xlsx > calls.xlsx
    """
    from crm.actions import readable_phone
    from crm.actions.calls import day_list, day_list_workbook, spreadsheet_rows

    if fmt == "xlsx":
        workbook = day_list_workbook(store_context(app, store), day, agent, limit)
        write_file_bytes(workbook, "crm calls list --format xlsx > calls.xlsx")
        return
    # The table counts the whole day beneath its page; scripts get what they ask for.
    cap = None if fmt == "table" else limit
    data = day_list(store_context(app, store), day, agent, cap)
    rows = data["rows"]
    if fmt == "csv":
        emit(spreadsheet_rows(rows), fmt, lambda: None, CALL_COLUMNS, bom=True)
        return

    def table():
        shown = rows[: limit or TABLE_PAGE]
        title = f"{data['store_name']} · {data['date']}"
        if data["agent"]:
            title += f" · {data['agent']['name']}"
        sheet = rich_table(title=title, box="SIMPLE_HEAD", show_lines=True, padding=(0, 1))
        sheet.add_column("call · due", no_wrap=True)
        sheet.add_column("customer", no_wrap=True)
        sheet.add_column("vehicle", no_wrap=True)
        sheet.add_column("say", ratio=1, overflow="fold")
        sheet.add_column("agent", no_wrap=True)
        for row in shown:
            due = row["due_date"]
            if row["overdue"]:
                due += f" [red]+{row['days_overdue']}d[/red]"
            tries = f"{row['attempts']}×" + (
                f" {row['last_outcome']}" if row["last_outcome"] else ""
            )
            if row["callback_at"]:
                tries += f" @{row['callback_at'][11:16]}"
            phone = readable_phone(row["phone"])
            phone = phone if row["phone_valid"] else f"[strike]{phone}[/strike]"
            car = "\n".join(filter(None, (row["model"], row["plate"], row["vin"]))) or "-"
            say = row["talking_points"] + (f"\n[dim]{row['notes']}[/dim]" if row["notes"] else "")
            sheet.add_row(
                f"{row['task_id']} {row['label']}\n{due}\n{tries}",
                f"{row['customer']}\n{phone}",
                car,
                say,
                row["agent"] or "-",
            )
        out.print(sheet)
        overdue = sum(row["overdue"] for row in rows)
        more = (
            f" (the first {len(shown)} shown; --limit N for more)" if len(shown) < len(rows) else ""
        )
        out.print(f"{len(rows)} calls, {overdue} overdue{more}.")
        out.print("Log one: crm calls log TASK --outcome reached|no_answer|busy|...")

    emit(rows, fmt, table, CALL_COLUMNS)


@calls.command("show")
@click.argument("task_id", type=ROW_ID)
@format_option()
@click.pass_obj
def calls_show(app: App, task_id: int, fmt: str):
    """The call and its customer's whole history: cars, visits, calls, SMS, complaints.

    Example: crm calls show 42
    """
    from crm.actions.calls import show_call

    data = show_call(app, task_id)
    if fmt == "json":
        print_json(data)
        return
    task = data["task"]
    out.print(
        f"[bold]#{task['task_id']} {task['label']}[/bold] · {task['status']} · "
        f"due {task['due_date']} · {task['attempts']} tries · agent {task['agent'] or '-'}"
    )
    out.print(f"  {task['reason']}")
    out.print(f"  [bold]say:[/bold] {task['talking_points']}")
    print_history(data)


def print_history(data: dict) -> None:
    """A customer and their cars, visits, calls, SMS and complaints, a table each."""
    person = data["customer"]
    phone = person["phone"] + ("" if person["phone_valid"] else " (invalid)")
    consent = "SMS ok" if person["sms_consent"] else "no SMS"
    status = "" if person["status"] == "active" else f" · {person['status']}"
    out.print(
        f"[bold]{person['name']}[/bold] {phone} · {consent}{status}"
        + (f" · {person['notes']}" if person["notes"] else "")
    )
    sections = [
        ("vehicles", ["vin", "model", "plate", "delivery_date", "maintenance_due_on"]),
        ("visits", ["visit_date", "ro_number", "plate", "service_type", "odometer_km"]),
        ("calls", ["at", "kind", "agent", "outcome", "satisfaction", "note"]),
        ("messages", ["at", "kind", "status", "body"]),
        ("complaints", ["complaint_id", "received_at", "category", "status", "text"]),
        ("open_tasks", ["task_id", "label", "window_start", "due_date"]),
    ]
    for name, columns in sections:
        if not data.get(name):
            continue
        sheet = rich_table(title=name, title_justify="left", box="SIMPLE_HEAD")
        for column in columns:
            sheet.add_column(column, overflow="fold")
        for row in data[name]:
            sheet.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        out.print(sheet)


@calls.command("log")
@click.argument("task_id", type=ROW_ID)
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES))
@click.option("--satisfaction", type=int, help="1 非常不满意 … 5 非常满意 (reached calls).")
@click.option("--mileage", type=int, metavar="KM", help="Odometer the customer reported, km.")
@click.option("--force", is_flag=True, help="Accept a mileage below the last reading.")
@click.option("--note", help="What was said.")
@click.option("--tags", help="Comma-separated tags, e.g. price,parking.")
@click.option(
    "--complaint",
    metavar="CATEGORY",
    help="Open a complaint: its category, in Chinese (等待维修时间过长) or as its code.",
)
@click.option("--complaint-text", help="The complaint in the customer's words.")
@click.option(
    "--callback-at",
    callback=local_datetime,
    metavar="TIME",
    help="callback_later: when, e.g. 2026-03-12T15:00 (store time).",
)
@click.option("--agent", metavar="CODE", help="Who called (default: the task's agent).")
@click.option("--opt-out", is_flag=True, help="The customer wants no more SMS.")
@click.option(
    "--solved/--not-solved",
    default=None,
    help="Complaint confirmation: does the customer confirm it is solved?",
)
@format_option("text", "json")
@click.pass_obj
def calls_log(app: App, task_id: int, tags: str | None, fmt: str, **given):
    """Record a call's result; the task closes, retries or is rescheduled.

    Example: crm calls log 42 --outcome reached --satisfaction 5 --mileage 4800
    """
    from crm.actions.calls import log_call
    from crm.actions.names import complaint_category

    if given["complaint"] is not None:
        given["complaint"] = complaint_category(
            given["complaint"], app.settings.store.locale, field="complaint"
        )
    data = log_call(
        app,
        task_id,
        given["outcome"],
        satisfaction=given["satisfaction"],
        mileage_km=given["mileage"],
        force=given["force"],
        note=given["note"],
        tags=[t.strip() for t in (tags or "").split(",") if t.strip()],
        complaint_category=given["complaint"],
        complaint_text=given["complaint_text"],
        callback_at=given["callback_at"],
        agent_code=given["agent"],
        opt_out=given["opt_out"],
        solved=given["solved"],
        actor=cli_actor(),
    )
    if fmt == "json":
        print_json(data)
        return
    line = f"task {data['task_id']}: {data['outcome']} logged (attempt {data['attempts']}), "
    line += f"task {data['task_status']}"
    if data["task_status"] == "open" and data["next_try_on"]:
        line += f", back on the list {data['next_try_on']}"
    click.echo(line)
    for effect in data["effects"]:
        click.echo(f"  {effect}")


@calls.command("correct")
@click.argument("task_id", type=ROW_ID)
@click.option("--reason", required=True, help="Why the logged result was wrong, e.g. 误选已接通.")
@click.option(
    "--outcome",
    type=click.Choice(["reached", "no_answer", "busy"]),
    help="The right outcome (reached, no_answer and busy correct into each other).",
)
@click.option("--satisfaction", type=int, help="The right rating, 1-5.")
@click.option("--mileage", "mileage_km", type=int, metavar="KM", help="The right odometer, km.")
@click.option("--force", is_flag=True, help="Accept a mileage below the last reading.")
@click.option("--note", help="The right note.")
@format_option("text", "json")
@click.pass_obj
def calls_correct(app: App, task_id: int, reason: str, fmt: str, **corrected):
    """Amend a call's last logged result; the original stays beside the correction.

    Example: crm calls correct 42 --mileage 15000 --reason 多输了一个0
    """
    from crm.actions.calls import correct_call, task_context
    from crm.actions.context import acting

    ctx = acting(task_context(app, task_id), cli_actor())
    done = correct_call(ctx, task_id, reason, **corrected)
    if fmt == "json":
        print_json(done)
        return
    click.echo(f"call {task_id}: {', '.join(done['changed'])} corrected")
    if done["effect"]:
        click.echo(f"  {done['effect']}")


@calls.command("assign")
@click.option("--rebalance", is_flag=True, help="Also even out the load between active agents.")
@store_option
@format_option("text", "json")
@click.pass_obj
def calls_assign(app: App, rebalance: bool, store: str | None, fmt: str):
    """Give every open call an active agent (an absent agent's calls move to the others).

    Example: crm calls assign --rebalance
    """
    from crm.actions.calls import assign

    result = assign(store_context(app, store), rebalance)
    if fmt == "json":
        print_json(result)
        return
    click.echo(
        f"{result['assigned']} call(s) assigned, {result['moved']} moved, "
        f"over {result['agents']} active agent(s)"
    )

"""The `crm` command: parses options, calls into `crm/`, prints the result."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from crm import db
from crm.app import App
from crm.clock import utcnow
from crm.config import DEFAULT_DATABASE_URL, load_settings
from crm.errors import CrmError, UsageError

FORMATS = click.Choice(["table", "json"])
# Lists a spreadsheet opens take csv too.
SHEET_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class CrmGroup(click.Group):
    """Turns a CrmError into one line on stderr and its exit status, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CrmError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except IntegrityError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"Error: another process changed the same data ({reason}); retry", err=True)
            ctx.exit(1)
        except DataError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"Error: a value does not fit ({reason}); check the input", err=True)
            ctx.exit(2)
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"Error: database unavailable ({reason}); check --db", err=True)
            ctx.exit(2)


def iso_date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-05") from None
    if not 1900 <= day.year <= 2200:
        raise click.BadParameter(f"{value} is outside the years 1900-2200")
    return day


def print_json(data) -> None:
    # Indented for people; compact for pipes and scripts (json's C encoder, 5x faster on
    # a few thousand rows).
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent, default=str))


def progress_bar(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@click.group(cls=CrmGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CRM_CONFIG",
    help="Settings file (default ./config.toml).",
)
@click.option(
    "--db",
    "database_url",
    envvar="CRM_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB.",
)
@click.version_option(package_name="crm-followup-desk")
@click.pass_context
def main(ctx, config_path: Path | None, database_url: str):
    """The follow-up desk for car dealerships.

    Example: crm init && crm import customers customers.xlsx
    """
    try:
        settings = load_settings(config_path)
    except CrmError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    ctx.obj = App(settings=settings, database_url=database_url)


@main.command()
@click.pass_obj
def init(app: App):
    """Create or upgrade the database and register the configured store; safe to repeat.

    Example: crm --db sqlite:///crm.db init
    """
    from crm.stores import ensure_store

    engine = db.make_engine(app.database_url)
    before, after = db.upgrade(engine)
    with db.session(engine) as session:
        store, created = ensure_store(session, app.settings.store)
    state = "created" if before is None else ("upgraded" if before != after else "already current")
    click.echo(
        f"database {state} (schema {after}); store {store.code} {store.name}"
        + (" registered" if created else "")
    )


@main.command("import")
@click.argument("kind", type=click.Choice(["customers", "vehicles", "visits"]))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count every row; save nothing.")
@click.option("--store", "store_code", help="Store code for rows without a store column.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def import_(app: App, kind: str, file: Path, dry_run: bool, store_code: str | None, fmt: str):
    """Import customers, vehicles or visits from a DMS export (.csv or .xlsx).

    Every row is stored or written to FILE.rejects.csv with its reason. Exit status:
    0 all landed, 1 some rejected, 2 the file is unusable.

    Example: crm import customers 客户资料.xlsx --dry-run
    """
    from crm.importing import run_import

    with progress_bar(f"importing {kind}") as bar:
        task = bar.add_task(kind, total=None)
        result = run_import(
            app.engine,
            kind,
            file,
            store_code=store_code or app.settings.store.code,
            today=app.today(),
            now=utcnow(),
            phone_region=app.settings.store.phone_region,
            batch_size=app.settings.imports.batch_size,
            dry_run=dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if fmt == "json":
        print_json(result.as_json())
    else:
        click.echo(result.summary())
    sys.exit(result.exit_code)


@main.group()
def demo():
    """Demo data for trying the product and for benchmarks."""


@demo.command("seed")
@click.option("--customers", default=2000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", "seed_value", default=42, show_default=True, help="Same seed, same data.")
@click.option("--today", callback=iso_date, help="Date the data is built around (default today).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the store already has customers.")
@click.option("--store", "store_code", help="Store code (default: the configured store).")
@click.pass_obj
def demo_seed(
    app: App,
    customers: int,
    seed_value: int,
    today: date | None,
    if_empty: bool,
    store_code: str | None,
):
    """Fill an empty store with realistic customers, cars, service histories and agents.

    Example: crm demo seed --customers 100000 --seed 7
    """
    import time

    from crm.demo import seed
    from crm.stores import get_store

    started = time.perf_counter()
    with app.session() as session, progress_bar("seeding") as bar:
        store = get_store(session, store_code or app.settings.store.code)
        task = bar.add_task("seed", total=customers)
        result = seed(
            session,
            store,
            customers=customers,
            seed_value=seed_value,
            today=today or app.today(),
            now=utcnow(),
            if_empty=if_empty,
            maintenance=app.settings.maintenance,
            progress=lambda _phase, done, total: bar.update(task, completed=done, total=total),
        )
    if result.skipped:
        click.echo(f"store {store.code} already has {result.existing} customers; not seeding")
        return
    elapsed = time.perf_counter() - started
    click.echo(
        f"seeded {result.customers} customers, {result.vehicles} vehicles, "
        f"{result.visits} service visits, {result.agents} agents in {elapsed:.1f} s"
    )


@main.command()
@click.option("--date", "day", callback=iso_date, help="The day to show (default today).")
@click.option("--store", "store_code", help="Store code (default: the configured store).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def today(app: App, day: date | None, store_code: str | None, fmt: str):
    """A short picture of the day: calls due, SMS queued, the store's size.

    Example: crm today --date 2026-03-05
    """
    from crm.stores import get_store
    from crm.today import picture

    with app.session() as session:
        store = get_store(session, store_code or app.settings.store.code)
        data = picture(session, store, day or app.today())
    if fmt == "json":
        print_json(data)
        return
    table = Table(title=f"{data['store_name']} · {data['date']}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, key in [
        ("calls due today", "calls_due"),
        ("  of which overdue", "calls_overdue"),
        ("SMS queued", "sms_queued"),
        ("customers", "customers"),
        ("vehicles", "vehicles"),
        ("service visits", "service_visits"),
    ]:
        table.add_row(label, f"{data[key]:,}")
    out.print(table)


@main.command()
@click.option("--date", "day", callback=iso_date, help="Day to plan (default: today, store time).")
@click.option("--dry-run", is_flag=True, help="Show the work (default: tomorrow's) without saving.")
@click.option("--store", "store_code", help="Plan one store (default: every store).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def plan(app: App, day: date | None, dry_run: bool, store_code: str | None, fmt: str):
    """Plan a day's calls and messages, catching up the days missed since the last run.

    Planning twice, or from two processes at once, creates nothing new.

    Example: crm plan --dry-run --format json
    """
    from crm.followup.service import plan_stores

    with app.session() as session:
        results = plan_stores(
            session, app.settings, utcnow(), day=day, dry_run=dry_run, store_code=store_code
        )
    totals = {"created": {}, "skipped": {}}
    for result in results:
        for key in totals:
            for name, count in getattr(result, key).items():
                totals[key][name] = totals[key].get(name, 0) + count
    if fmt == "json":
        print_json(
            {
                "date": results[0].day.isoformat() if results else None,
                "created": dict(sorted(totals["created"].items())),
                "skipped": dict(sorted(totals["skipped"].items())),
                "dry_run": dry_run,
                "stores": [r.as_json() for r in results],
            }
        )
        return
    for result in results:
        title = f"{result.store} · {result.day}" + (" (dry run: nothing saved)" if dry_run else "")
        if result.since < result.day:
            title += f" · caught up from {result.since}"
        table = Table(title=title)
        table.add_column("kind")
        table.add_column("created", justify="right")
        for kind, count in sorted(result.created.items()):
            table.add_row(kind, f"{count:,}")
        for reason, count in sorted(result.skipped.items()):
            table.add_row(f"[dim]skipped: {reason}[/dim]", f"[dim]{count:,}[/dim]")
        if not result.created and not result.skipped:
            table.add_row("[dim]nothing new[/dim]", "0")
        out.print(table)


@main.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def status(app: App, fmt: str):
    """When planning last ran for each store and what it produced; warns when today's is missing.

    Example: crm status --format json
    """
    from zoneinfo import ZoneInfo

    from crm.clock import store_today
    from crm.followup.status import planning_status

    with app.session() as session:
        entries = planning_status(session, lambda store: store_today(ZoneInfo(store.timezone)))
    if fmt == "json":
        print_json(entries)
        return
    for entry in entries:
        created = ", ".join(f"{k} {v}" for k, v in sorted(entry["created"].items())) or "nothing"
        out.print(
            f"{entry['store']}: last planned {entry['last_planned_day'] or 'never'}"
            + (
                f" (ran {entry['finished_at']} on {entry['host']}); created {created}"
                if entry["last_planned_day"]
                else ""
            )
        )
        if entry["warning"]:
            err.print(f"[yellow]warning:[/yellow] {entry['store']}: {entry['warning']}")


@main.group()
def campaign():
    """Campaigns: a service festival or car-care class sent to a segment of customers."""


@campaign.command("launch")
@click.argument("name")
@click.option("--template", required=True, help="SMS template, e.g. service_festival.")
@click.option("--model", "models", multiple=True, help="Only owners of this model (repeatable).")
@click.option(
    "--min-age-months", type=click.IntRange(0, 1200), help="Cars delivered at least N months ago."
)
@click.option(
    "--max-age-months", type=click.IntRange(0, 1200), help="Cars delivered at most N months ago."
)
@click.option("--no-visit-since", callback=iso_date, help="No visit on or after this date.")
@click.option("--visited-since", callback=iso_date, help="A visit on or after this date.")
@click.option(
    "--consent",
    type=click.Choice(["any", "sms", "marketing"]),
    default="any",
    show_default=True,
    help="Only customers with this consent (SMS always need marketing consent).",
)
@click.option("--call", "with_calls", is_flag=True, help="Also put an invitation call on the list.")
@click.option(
    "--call-days",
    default=7,
    show_default=True,
    type=click.IntRange(0, 60),
    help="Days the invitation call stays due.",
)
@click.option("--date", "day", callback=iso_date, help="Launch day (default today).")
@click.option("--store", "store_code", help="Store code (default: the configured store).")
@click.option("--dry-run", is_flag=True, help="Count the audience and what would be queued.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def campaign_launch(
    app: App,
    name,
    template,
    models,
    min_age_months,
    max_age_months,
    no_visit_since,
    visited_since,
    consent,
    with_calls,
    call_days,
    day,
    store_code,
    dry_run,
    fmt,
):
    """Launch a campaign: SMS (and with --call, invitation calls) to a segment, once.

    Example: crm campaign launch 秋季服务节 --template service_festival --min-age-months 12 --call
    """
    from crm.followup.campaigns import Segment, launch
    from crm.stores import get_store

    segment = Segment(
        tuple(models), min_age_months, max_age_months, no_visit_since, visited_since, consent
    )
    with app.session() as session:
        store = get_store(session, store_code or app.settings.store.code)
        result = launch(
            session,
            store,
            name,
            template,
            segment,
            app.settings,
            day or app.today(),
            utcnow(),
            with_calls=with_calls,
            call_days=call_days,
            dry_run=dry_run,
        )
    if fmt == "json":
        print_json(result.as_json())
        return
    created = ", ".join(f"{k} {v:,}" for k, v in sorted(result.created.items())) or "nothing"
    skipped = ", ".join(f"{k} {v:,}" for k, v in sorted(result.skipped.items())) or "none"
    click.echo(
        f"campaign {name}: audience {result.audience:,}; created {created}; "
        f"skipped {skipped}" + (" [dry run: nothing saved]" if dry_run else "")
    )


@campaign.command("list")
@click.option("--store", "store_code", help="Store code (default: the configured store).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def campaign_list(app: App, store_code: str | None, fmt: str):
    """The campaigns launched, with what each queued.

    Example: crm campaign list --format json
    """
    from crm.followup.campaigns import list_campaigns
    from crm.stores import get_store

    with app.session() as session:
        store = get_store(session, store_code or app.settings.store.code)
        rows = list_campaigns(session, store)
    if fmt == "json":
        print_json(rows)
        return
    table = Table("id", "name", "template", "launched", "SMS", "calls")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["name"],
            row["template"],
            row["launched_on"],
            f"{row['sms']:,}",
            f"{row['calls']:,}",
        )
    out.print(table)


def local_datetime(_ctx, _param, value: str | None) -> datetime | None:
    """An ISO 8601 date-time; without an offset it is store time."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time like 2026-03-12T15:00") from None
    if not 1900 <= moment.year <= 2200:
        raise click.BadParameter(f"{value} is outside the years 1900-2200")
    return moment


def write_csv(rows: list[dict], columns: list[str]) -> None:
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})


def store_day(store) -> date:
    """Today where the store is (a group's stores may sit in different zones)."""
    from zoneinfo import ZoneInfo

    from crm.clock import store_today

    return store_today(ZoneInfo(store.timezone))


def store_for(session, app: App, store_code: str | None):
    from crm.stores import get_store

    return get_store(session, store_code or app.settings.store.code)


ROW_ID = click.IntRange(1, 2**31 - 1)  # ids are 32-bit on PostgreSQL

STORE_OPTION = click.option(
    "--store", "store_code", help="Store code (default: the configured store)."
)


@main.group()
def agents():
    """The store's customer-service agents (客服专员)."""


@agents.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The agent's name.")
@STORE_OPTION
@click.pass_obj
def agents_add(app: App, code: str, name: str, store_code: str | None):
    """Add an agent; new calls are spread over active agents at the next planning.

    Example: crm agents add a01 --name 李娜
    """
    from crm.calls.agents import add_agent

    with app.session() as session:
        agent = add_agent(session, store_for(session, app, store_code), code, name)
        click.echo(
            f"agent {agent.code} {agent.name} added; `crm calls assign` gives them calls now"
        )


@agents.command("list")
@STORE_OPTION
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def agents_list(app: App, store_code: str | None, fmt: str):
    """Agents with their open calls and how many are overdue.

    Example: crm agents list --format json
    """
    from crm.calls.agents import list_agents

    with app.session() as session:
        store = store_for(session, app, store_code)
        rows = list_agents(session, store, store_day(store))
    if fmt == "json":
        print_json(rows)
        return
    table = Table()
    for column in ("code", "name", "active", "open calls", "overdue"):
        table.add_column(column, justify="right" if column in ("open calls", "overdue") else "left")
    for row in rows:
        table.add_row(
            row["code"],
            row["name"],
            "yes" if row["active"] else "no",
            f"{row['open_calls']:,}",
            f"{row['overdue_calls']:,}",
        )
    out.print(table)


def _set_active(app: App, code: str, store_code: str | None, active: bool) -> None:
    from crm.calls.agents import set_active

    with app.session() as session:
        agent = set_active(session, store_for(session, app, store_code), code, active)
    state = "active" if active else "inactive"
    hint = "" if active else "; `crm calls assign` hands their open calls to the others"
    click.echo(f"agent {agent.code} is {state}{hint}")


@agents.command("deactivate")
@click.argument("code")
@STORE_OPTION
@click.pass_obj
def agents_deactivate(app: App, code: str, store_code: str | None):
    """Mark an agent absent or gone: they get no new calls.

    Example: crm agents deactivate a01
    """
    _set_active(app, code, store_code, False)


@agents.command("activate")
@click.argument("code")
@STORE_OPTION
@click.pass_obj
def agents_activate(app: App, code: str, store_code: str | None):
    """Bring an agent back: they share new calls again.

    Example: crm agents activate a01
    """
    _set_active(app, code, store_code, True)


@main.group()
def calls():
    """The call desk: the day's list, results, assignment."""


TABLE_PAGE = 30  # a screenful to work from; scripts take --format json or csv for all
CALL_COLUMNS = [
    "task_id",
    "kind",
    "customer",
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


@calls.command("list")
@click.option("--date", "day", callback=iso_date, help="The day (default today, store time).")
@click.option("--agent", "agent_code", help="Only this agent's calls.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    help="At most this many calls (the table shows the first 30 unless told).",
)
@STORE_OPTION
@SHEET_FORMAT
@click.pass_obj
def calls_list(
    app: App,
    day: date | None,
    agent_code: str | None,
    limit: int | None,
    store_code: str | None,
    fmt: str,
):
    """The day's calls: overdue first, then by due date, with what to say.

    Example: crm calls list --agent a01
    """
    from crm.calls.agents import get_agent
    from crm.calls.desk import day_list

    with app.session() as session:
        store = store_for(session, app, store_code)
        agent = get_agent(session, store, agent_code) if agent_code else None
        day = day or store_day(store)
        # The table counts the whole day beneath its page; scripts get what they ask for.
        cap = None if fmt == "table" else limit
        rows = day_list(session, store, day, app.settings.store.locale, agent=agent, limit=cap)
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        write_csv(rows, CALL_COLUMNS)
        return
    shown = rows[: limit or TABLE_PAGE]
    title = f"{store.name} · {day.isoformat()}" + (f" · {agent.name}" if agent else "")
    table = Table(title=title, box=box.SIMPLE_HEAD, show_lines=True, padding=(0, 1))
    table.add_column("call · due", no_wrap=True)
    table.add_column("customer", no_wrap=True)
    table.add_column("vehicle", no_wrap=True)
    table.add_column("say", ratio=1, overflow="fold")
    for row in shown:
        due = row["due_date"] + (f" [red]+{row['days_overdue']}d[/red]" if row["overdue"] else "")
        tries = f"{row['attempts']}×" + (f" {row['last_outcome']}" if row["last_outcome"] else "")
        if row["callback_at"]:
            tries += f" @{row['callback_at'][11:16]}"
        phone = row["phone"] if row["phone_valid"] else f"[strike]{row['phone']}[/strike]"
        car = "\n".join(filter(None, (row["model"], row["plate"], row["vin"]))) or "-"
        say = row["talking_points"] + (f"\n[dim]{row['notes']}[/dim]" if row["notes"] else "")
        table.add_row(
            f"{row['task_id']} {row['label']}\n{due}\n{tries}",
            f"{row['customer']}\n{phone}",
            car,
            say,
        )
    out.print(table)
    overdue = sum(row["overdue"] for row in rows)
    more = f" (the first {len(shown)} shown; --limit N for more)" if len(shown) < len(rows) else ""
    out.print(f"{len(rows)} calls, {overdue} overdue{more}.")
    out.print("Log one: crm calls log TASK --outcome reached|no_answer|busy|...")


@calls.command("show")
@click.argument("task_id", type=ROW_ID)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def calls_show(app: App, task_id: int, fmt: str):
    """The call and its customer's whole history: cars, visits, calls, SMS, complaints.

    Example: crm calls show 42
    """
    from crm.calls.history import task_history

    with app.session() as session:
        data = task_history(session, task_id, app.settings.store.locale, utcnow())
    if fmt == "json":
        print_json(data)
        return
    task, person = data["task"], data["customer"]
    out.print(
        f"[bold]#{task['task_id']} {task['label']}[/bold] · {task['status']} · "
        f"due {task['due_date']} · {task['attempts']} tries · agent {task['agent'] or '-'}"
    )
    out.print(f"  {task['reason']}")
    out.print(f"  [bold]say:[/bold] {task['talking_points']}")
    phone = person["phone"] + ("" if person["phone_valid"] else " (invalid)")
    consent = "SMS ok" if person["sms_consent"] else "no SMS"
    out.print(
        f"[bold]{person['name']}[/bold] {phone} · {consent}"
        + (f" · {person['notes']}" if person["notes"] else "")
    )
    sections = [
        ("vehicles", ["vin", "model", "plate", "delivery_date", "maintenance_due_on"]),
        ("visits", ["visit_date", "ro_number", "plate", "service_type", "odometer_km"]),
        ("calls", ["at", "kind", "agent", "outcome", "satisfaction", "note"]),
        ("messages", ["at", "kind", "status", "body"]),
        ("complaints", ["complaint_id", "received_at", "category", "status", "text"]),
    ]
    for name, columns in sections:
        if not data[name]:
            continue
        table = Table(title=name, title_justify="left", box=box.SIMPLE_HEAD)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in data[name]:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        out.print(table)


@calls.command("log")
@click.argument("task_id", type=ROW_ID)
@click.option(
    "--outcome",
    required=True,
    type=click.Choice(
        ["reached", "no_answer", "busy", "wrong_number", "declined", "callback_later"]
    ),
)
@click.option("--satisfaction", type=int, help="1 非常不满意 … 5 非常满意 (reached calls).")
@click.option("--mileage", type=int, help="Odometer the customer reported, km.")
@click.option("--force", is_flag=True, help="Accept a mileage below the last reading.")
@click.option("--note", help="What was said.")
@click.option("--tags", help="Comma-separated tags, e.g. price,parking.")
@click.option("--complaint", "complaint_category", help="Open a complaint: its category.")
@click.option("--complaint-text", help="The complaint in the customer's words.")
@click.option(
    "--callback-at",
    callback=local_datetime,
    help="callback_later: when, e.g. 2026-03-12T15:00 (store time).",
)
@click.option("--agent", "agent_code", help="Who called (default: the task's agent).")
@click.option("--opt-out", is_flag=True, help="The customer wants no more SMS.")
@click.option(
    "--solved/--not-solved",
    default=None,
    help="Complaint confirmation: does the customer confirm it is solved?",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def calls_log(
    app: App,
    task_id: int,
    outcome: str,
    satisfaction: int | None,
    mileage: int | None,
    force: bool,
    note: str | None,
    tags: str | None,
    complaint_category: str | None,
    complaint_text: str | None,
    callback_at: datetime | None,
    agent_code: str | None,
    opt_out: bool,
    solved: bool | None,
    fmt: str,
):
    """Record a call's result; the task closes, retries or is rescheduled.

    Example: crm calls log 42 --outcome reached --satisfaction 5 --mileage 4800
    """
    from zoneinfo import ZoneInfo

    from crm.calls.results import CallLog, log_call

    call = CallLog(
        task_id=task_id,
        outcome=outcome,
        satisfaction=satisfaction,
        mileage_km=mileage,
        force=force,
        note=note,
        tags=[t.strip() for t in (tags or "").split(",") if t.strip()],
        complaint_category=complaint_category,
        complaint_text=complaint_text,
        callback_at=callback_at,
        agent_code=agent_code,
        opt_out=opt_out,
        solved=solved,
    )
    with app.session() as session:
        result = log_call(session, app.settings, call, utcnow())
    data = result.as_json(ZoneInfo(app.settings.store.timezone))
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


@calls.command("assign")
@click.option("--rebalance", is_flag=True, help="Also even out the load between active agents.")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def calls_assign(app: App, rebalance: bool, store_code: str | None, fmt: str):
    """Give every open call an active agent (an absent agent's calls move to the others).

    Example: crm calls assign --rebalance
    """
    from crm.calls.assignment import assign

    with app.session() as session:
        result = assign(
            session, store_for(session, app, store_code).id, utcnow(), rebalance=rebalance
        )
    if not result.agents:
        raise CrmError("no active agent; add one with `crm agents add CODE --name NAME`")
    if fmt == "json":
        print_json(result.as_json())
        return
    click.echo(
        f"{result.assigned} call(s) assigned, {result.moved} moved, "
        f"over {result.agents} active agent(s)"
    )


@main.group()
def inquiries():
    """Inbound calls (咨询电话) and the leads they bring."""


@inquiries.command("log")
@click.option("--phone", required=True, help="The caller's number.")
@click.option(
    "--topic",
    required=True,
    type=click.Choice(["model", "price", "promotion", "service", "complaint", "other"]),
)
@click.option("--name", help="The caller's name, for a new lead.")
@click.option("--note", help="What they need.")
@click.option("--agent", "agent_code", help="Who took the call.")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def inquiries_log(
    app: App,
    phone: str,
    topic: str,
    name: str | None,
    note: str | None,
    agent_code: str | None,
    store_code: str | None,
    fmt: str,
):
    """Record an inbound call; an unknown number becomes a lead (潜在客户).

    Example: crm inquiries log --phone 13812345678 --topic price --name 张先生 --note 问途观L报价
    """
    from crm.calls.agents import get_agent
    from crm.calls.inquiries import log_inquiry

    with app.session() as session:
        store = store_for(session, app, store_code)
        agent = get_agent(session, store, agent_code) if agent_code else None
        data = log_inquiry(
            session,
            store,
            app.settings.store.phone_region,
            phone,
            topic,
            utcnow(),
            name=name,
            note=note,
            agent=agent,
        )
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
@click.option("--since", callback=iso_date, help="First day (default: 30 days ago).")
@click.option("--until", callback=iso_date, help="Last day (default today).")
@click.option("--topic", help="Only this topic.")
@STORE_OPTION
@SHEET_FORMAT
@click.pass_obj
def inquiries_list(
    app: App,
    since: date | None,
    until: date | None,
    topic: str | None,
    store_code: str | None,
    fmt: str,
):
    """Inbound calls received, oldest first.

    Example: crm inquiries list --since 2026-03-01 --format csv
    """
    from datetime import timedelta

    from crm.calls.inquiries import list_inquiries

    until = until or app.today()
    since = since or until - timedelta(days=30)
    if since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    with app.session() as session:
        rows = list_inquiries(session, store_for(session, app, store_code), since, until, topic)
    columns = [
        "inquiry_id",
        "received_at",
        "phone",
        "customer",
        "topic",
        "new_lead",
        "agent",
        "note",
    ]
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        write_csv(rows, columns)
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("id", "received", "phone", "customer", "topic", "lead", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["inquiry_id"]),
            row["received_at"][:16],
            row["phone"],
            row["customer"] or "",
            row["topic"],
            "new" if row["new_lead"] else "",
            row["note"] or "",
        )
    out.print(table)


@main.group()
def complaints():
    """Complaints (投诉), followed until the customer says they are solved."""


@complaints.command("add")
@click.option("--customer", "customer_ref", required=True, help="Customer id, DMS code or phone.")
@click.option(
    "--category",
    required=True,
    help="vehicle_quality, service_quality, "
    "waiting_time, staff_attitude, price, parts, sales or other.",
)
@click.option("--text", required=True, help="The complaint in the customer's words.")
@click.option("--vin", help="The car it is about.")
@click.option("--agent", "agent_code", help="Who took it (gets its follow-up calls).")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def complaints_add(
    app: App,
    customer_ref: str,
    category: str,
    text: str,
    vin: str | None,
    agent_code: str | None,
    store_code: str | None,
    fmt: str,
):
    """Record a complaint; it is routed and its first follow-up call is due at once.

    Example: crm complaints add --customer 13812345678 --category waiting_time --text 等了三小时
    """
    from zoneinfo import ZoneInfo

    from crm.calls.agents import get_agent
    from crm.calls.complaints import describe, open_complaint
    from crm.calls.lookup import find_customer, find_vehicle

    now = utcnow()
    with app.session() as session:
        store = store_for(session, app, store_code)
        customer = find_customer(session, store, customer_ref, app.settings.store.phone_region)
        vehicle = find_vehicle(session, customer, vin) if vin else None
        agent = get_agent(session, store, agent_code) if agent_code else None
        complaint = open_complaint(
            session,
            app.settings,
            store,
            customer.id,
            category,
            text,
            now,
            vehicle_id=vehicle.id if vehicle else None,
            agent_id=agent.id if agent else None,
        )
        session.commit()
        data = describe(complaint, customer.name, customer.phone, ZoneInfo(store.timezone), now)
    if fmt == "json":
        print_json(data)
        return
    click.echo(
        f"complaint {data['complaint_id']} opened for {data['customer']}: "
        f"{data['category']} -> {data['department']}; respond by {data['respond_by']}, "
        f"resolve by {data['resolve_by']}"
    )


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
    "text",
]


@complaints.command("list")
@click.option(
    "--status", default="open", show_default=True, type=click.Choice(["open", "resolved", "all"])
)
@click.option("--overdue", is_flag=True, help="Only open complaints past a deadline.")
@STORE_OPTION
@SHEET_FORMAT
@click.pass_obj
def complaints_list(app: App, status: str, overdue: bool, store_code: str | None, fmt: str):
    """Complaints by status; --overdue shows the ones past their deadlines.

    Example: crm complaints list --overdue
    """
    from crm.calls.complaints import list_complaints

    with app.session() as session:
        rows = list_complaints(
            session, store_for(session, app, store_code), status, overdue, utcnow()
        )
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        write_csv(rows, COMPLAINT_COLUMNS)
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("id", "customer", "category", "status", "received", "late", "text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        late = f"[red]{row['overdue_reason']}[/red]" if row["overdue"] else ""
        table.add_row(
            str(row["complaint_id"]),
            row["customer"],
            row["category"],
            row["status"],
            row["received_at"][:10],
            late,
            row["text"],
        )
    out.print(table)


@complaints.command("show")
@click.argument("complaint_id", type=ROW_ID)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def complaints_show(app: App, complaint_id: int, fmt: str):
    """One complaint: deadlines, resolution and every call about it.

    Example: crm complaints show 7
    """
    from crm.calls.complaints import show

    with app.session() as session:
        data = show(session, complaint_id, utcnow())
    if fmt == "json":
        print_json(data)
        return
    out.print(
        f"[bold]complaint {data['complaint_id']}[/bold] · {data['customer']} "
        f"{data['phone']} · {data['category']} -> {data['department']} · {data['status']}"
    )
    out.print(f"  {data['text']}")
    for label in (
        "received_at",
        "respond_by",
        "first_response_at",
        "resolve_by",
        "resolved_at",
        "confirmed_at",
    ):
        if data[label]:
            out.print(f"  {label.replace('_', ' ')}: {data[label]}")
    if data["resolution"]:
        out.print(f"  resolution: {data['resolution']}")
    if data["overdue"]:
        out.print(f"  [red]overdue: {data['overdue_reason']}[/red]")
    for attempt in data["attempts"]:
        out.print(
            f"  {attempt['at']} {attempt['kind']} {attempt['agent'] or ''} "
            f"{attempt['outcome']} {attempt['note'] or ''}"
        )


@complaints.command("resolve")
@click.argument("complaint_id", type=ROW_ID)
@click.option("--resolution", required=True, help="What was done.")
@click.option("--agent", "agent_code", help="Who calls the customer to confirm.")
@click.pass_obj
def complaints_resolve(app: App, complaint_id: int, resolution: str, agent_code: str | None):
    """The store solved it: a call to confirm with the customer comes due.

    Example: crm complaints resolve 7 --resolution 更换刹车片并退还工时费
    """
    from crm.calls.agents import get_agent
    from crm.calls.complaints import get_complaint, resolve
    from crm.models import Store

    with app.session() as session:
        agent = None
        if agent_code:
            store = session.get(Store, get_complaint(session, complaint_id).store_id)
            agent = get_agent(session, store, agent_code)
        complaint = resolve(session, app.settings, complaint_id, resolution, utcnow(), agent=agent)
        click.echo(f"complaint {complaint.id} resolved; a confirmation call is on the list")


@main.group()
def scheduler():
    """The scheduler that runs the daily planning (and later the SMS and report jobs)."""


@scheduler.command("run")
@click.pass_obj
def scheduler_run(app: App):
    """Run the scheduled jobs until Ctrl-C: planning at start and daily at 06:30 store time.

    Only one scheduler runs per database; a second one says who holds the lock.

    Example: crm scheduler run
    """
    from jobs.scheduler import run

    run(app)


@main.group()
def stores():
    """The stores in this database (a dealer group keeps several)."""


@stores.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def stores_list(app: App, fmt: str):
    """List the stores.

    Example: crm stores list --format json
    """
    from crm.stores import list_stores

    with app.session() as session:
        rows = list_stores(session)
    if fmt == "json":
        print_json(rows)
        return
    table = Table("code", "name", "timezone", "customers")
    for row in rows:
        table.add_row(row["code"], row["name"], row["timezone"], f"{row['customers']:,}")
    out.print(table)


@stores.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The store's name, as customers know it.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.pass_obj
def stores_add(app: App, code: str, name: str, timezone: str):
    """Register another store of the group.

    Example: crm stores add gz02 --name 广州天河店
    """
    from crm.config import StoreSettings
    from crm.stores import add_store

    try:
        StoreSettings(code=code, name=name, timezone=timezone)
    except ValueError as exc:
        raise UsageError(f"invalid store: {exc.errors()[0]['msg']}") from None
    with app.session() as session:
        store = add_store(session, code, name, timezone)
    click.echo(f"store {store.code} {store.name} added")


@main.group()
def report():
    """The month-end service summary (月度工作总结): figures, narrative, charts, files."""


@report.command("monthly")
@click.argument("month")
@click.option("--store", "store_code", help="Store code (default: the configured store).")
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
    type=click.Path(path_type=Path),  # a folder is refused in one line by write_file
    help="File to write (md and json print to the terminal without it; html and xlsx go "
    "to the report folder as {store}-{YYYY-MM}.{ext}).",
)
@click.pass_obj
def report_monthly(app: App, month: str, store_code: str | None, fmt: str, output: Path | None):
    """The summary of MONTH (YYYY-MM, store time) with last month beside it.

    Example: crm report monthly 2026-02 --format html -o 2026-02.html
    """
    from crm.report import Month, build_report, file_name, render, write_file
    from crm.stores import get_store

    wanted = Month.parse(month)
    with app.session() as session, err.status(f"summarising {wanted}", spinner="dots"):
        store = get_store(session, store_code or app.settings.store.code)
        content = render(build_report(session, store, wanted, app.settings, utcnow()), fmt)
    if output is None and fmt in ("md", "json"):
        click.echo(content.decode("utf-8"), nl=False)
        return
    path = output or Path(app.settings.report.output_dir) / file_name(store.code, wanted, fmt)
    try:
        write_file(path, content)
    except UsageError as exc:
        raise UsageError(f"{exc}; choose another -o PATH") from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}; choose another -o PATH") from None
    click.echo(f"wrote {path}")


@report.command("definitions")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table")
@click.pass_obj
def report_definitions(app: App, fmt: str):
    """What each figure of the monthly summary counts (the report's appendix).

    Example: crm report definitions --format md
    """
    from crm.report.definitions import DEFINITIONS, label, markdown_table, text

    locale = app.settings.store.locale
    window = app.settings.report.conversion_window_days
    rows = [
        {
            "key": d.key,
            "unit": d.unit.value,
            "figure": label(d.key, locale),
            "definition": text(d.key, locale, window),
        }
        for d in DEFINITIONS
    ]
    if fmt == "json":
        print_json(rows)
    elif fmt == "md":
        click.echo(markdown_table(locale, window))
    else:
        table = Table("key", "figure", "definition")
        for row in rows:
            table.add_row(row["key"], row["figure"], row["definition"])
        out.print(table)


class SmsGroup(CrmGroup):
    """A provider's failure, too, reaches the user as one sentence, never a traceback."""

    def invoke(self, ctx):
        from crm.sms.providers.base import ProviderError as SendError

        try:
            return super().invoke(ctx)
        except SendError as exc:
            raise CrmError(f"the SMS provider failed: {exc}") from None


@main.group(cls=SmsGroup)
def sms():
    """SMS: templates, consent, the outbox and its provider (console or Twilio)."""


@sms.command("lint")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def sms_lint(app: App, fmt: str):
    """Render every template with sample data: characters, encoding, segments and problems.

    Fails (exit 1) on a missing variable, a link where the route forbids them, or more
    segments than sms.max_segments.

    Example: crm sms lint --format json
    """
    from crm.sms.lint import lint_all

    findings = lint_all(app.settings)
    if fmt == "json":
        print_json([f.as_json() for f in findings])
    else:
        table = Table("source", "template", "category", "chars", "encoding", "segments", "result")
        for f in findings:
            table.add_row(
                f.source,
                f.kind,
                f.category,
                str(f.characters),
                f.encoding,
                str(f.segments),
                "[green]ok[/green]" if f.ok else "[red]fails[/red]",
            )
        out.print(table)
    bad = [f for f in findings if not f.ok]
    for f in bad:
        for problem in f.problems:
            err.print(f"{f.source}/{f.kind}.txt: {problem}", soft_wrap=True)
    if bad:
        err.print(f"{len(bad)} of {len(findings)} templates need fixing")
        sys.exit(1)


@sms.command("preview")
@click.argument("kind")
@click.option("--customer", "customer_ref", required=True, help="Customer code or id.")
@click.option("--campaign", help="Campaign name for campaign templates.")
@click.option(
    "--reminder",
    type=click.Choice(["first_service", "maintenance"]),
    default="maintenance",
    show_default=True,
    help="Which reminder a reminder_fallback follows.",
)
@click.option("--store", "store_code", help="Store code (default: the configured store).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def sms_preview(app: App, kind, customer_ref, campaign, reminder, store_code, fmt):
    """The exact text one customer would get for KIND (their queued message when there is one).

    Example: crm sms preview birthday_sms --customer C001
    """
    from crm.sms.view import preview
    from crm.stores import get_store

    with app.session() as session:
        store = get_store(session, store_code or app.settings.store.code)
        data = preview(
            session, app.settings, store, kind, customer_ref, app.today(), campaign, reminder
        )
    if fmt == "json":
        print_json(data)
        return
    click.echo(data["body"])
    err.print(
        f"[dim]{data['customer']} {data['phone']} · {data['source']} · {data['characters']} "
        f"characters, {data['encoding']}, {data['segments']} segment(s)[/dim]"
    )


@sms.command("optout")
@click.argument("phone")
@click.option("--source", default="manual", show_default=True, help="Where the request came from.")
@click.pass_obj
def sms_optout(app: App, phone: str, source: str):
    """Withdraw SMS and marketing consent for a number and cancel its queued messages.

    Example: crm sms optout "138 0013 8000" --source phone
    """
    from crm.sms.service import opt_out_phone

    with app.session() as session:
        result = opt_out_phone(session, app.settings, phone, source)
    click.echo(
        f"{result['phone']}: consent withdrawn for {result['customers']} customer(s); "
        f"{result['cancelled']} queued message(s) cancelled"
    )


def _sender(app: App):
    from crm.sms.providers import make_sender

    return make_sender(app.settings.sms)


@sms.command("send")
@click.option("--limit", type=click.IntRange(1), help="Send at most N messages.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def sms_send(app: App, limit: int | None, fmt: str):
    """Send what is due, in the send window, paced to sms.rate_per_second.

    Stale rows left in sending by a stopped sender are reconciled first. Exit 1 when
    some messages failed, wait for a retry or await reconciliation.

    Example: crm sms send --limit 100
    """
    from crm.sms.service import send_due

    sender = _sender(app)
    with app.session() as session, progress_bar("sending") as bar:
        task = bar.add_task("send", total=limit)
        settled, result = send_due(
            session,
            app.settings,
            sender,
            limit,
            progress=lambda done: bar.update(task, completed=done),
        )
    data = result.as_json() | {"reconciled": dict(settled)}
    if fmt == "json":
        print_json(data)
    else:
        skipped = {k: v for k, v in data.items() if isinstance(v, int) and v and k != "sent"}
        line = f"sent {data['sent']}" + "".join(f", {k} {v}" for k, v in skipped.items())
        if settled:
            line += "; reconciled " + ", ".join(f"{k} {v}" for k, v in settled.items())
        if result.closed_stores:
            line += f"; outside the send window: {', '.join(result.closed_stores)}"
        click.echo(line)
    if result.stopped:
        click.echo(f"Error: stopped: {result.stopped}", err=True)
    sys.exit(result.exit_code)


@sms.command("reconcile")
@click.option(
    "--older-than",
    type=click.FloatRange(0),
    help="Settle rows claimed this many seconds ago or earlier (default "
    "sms.reconcile_after_seconds); 0 only when no sender is running.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def sms_reconcile(app: App, older_than: float | None, fmt: str):
    """Settle messages left in sending by the provider's log: sent when it has them, re-queued
    only when it certainly does not.

    Example: crm sms reconcile --older-than 0
    """
    from crm.sms.service import reconcile_now

    with app.session() as session:
        counts = reconcile_now(session, app.settings, _sender(app), older_than)
    data = {k: counts[k] for k in ("found_sent", "requeued", "unknown", "claimed_again")}
    if fmt == "json":
        print_json(data)
    else:
        click.echo(", ".join(f"{k} {v}" for k, v in data.items()))
    sys.exit(1 if counts["unknown"] else 0)


@sms.command("sync")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def sms_sync(app: App, fmt: str):
    """Fetch delivery status and replies (opt-outs) for the last sms.sync_days days.

    For stores without a public URL for the provider's webhooks.

    Example: crm sms sync --format json
    """
    from crm.sms.service import sync

    with app.session() as session:
        data = sync(session, app.settings, _sender(app))
    if fmt == "json":
        print_json(data)
        return
    for part in ("statuses", "replies"):
        counts = ", ".join(f"{k} {v}" for k, v in sorted(data[part].items())) or "nothing new"
        click.echo(f"{part}: {counts}")


@sms.command("outbox")
@click.option(
    "--status",
    type=click.Choice(
        ["queued", "sending", "sent", "delivered", "undelivered", "failed"]
        + ["cancelled", "expired"]
    ),
    help="Only messages in this state.",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
@click.option("--store", "store_code", help="Store code (default: the configured store).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.pass_obj
def sms_outbox(app: App, status, limit, store_code, fmt):
    """The newest messages and what became of each: status, provider id, error, cost.

    Example: crm sms outbox --status failed --format json
    """
    from crm.sms.view import list_outbox
    from crm.stores import get_store

    with app.session() as session:
        store = get_store(session, store_code or app.settings.store.code)
        rows = list_outbox(session, app.settings, status, store, limit)
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["message_id"])
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table("id", "kind", "customer", "phone", "status", "send after", "seg", "error", "text")
    for row in rows:
        table.add_row(
            str(row["message_id"]),
            row["kind"],
            row["customer"],
            row["phone"],
            row["status"],
            row["send_after"][:16].replace("T", " "),
            str(row["segments"]),
            row["error_code"] or row["error_message"] or "",
            row["body"],
        )
    out.print(table)


if __name__ == "__main__":
    main()

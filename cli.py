"""The `crm` command: parses options, calls into `crm/`, prints the result."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import IntegrityError, OperationalError

from crm import db
from crm.app import App
from crm.clock import utcnow
from crm.config import DEFAULT_DATABASE_URL, load_settings
from crm.errors import CrmError, UsageError

FORMATS = click.Choice(["table", "json"])
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
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


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
    from crm.sms.backends import make_sender

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
    data = {k: counts[k] for k in ("found_sent", "requeued", "unknown")}
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

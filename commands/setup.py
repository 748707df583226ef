"""Setting up: `crm init`, `crm import`, `crm demo`, `crm stores`, `crm agents`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from commands.base import (
    CrmCommand,
    CrmGroup,
    emit,
    format_option,
    iso_date,
    out,
    print_json,
    progress_bar,
    rich_table,
    store_context,
    store_option,
)
from crm.app import App


def register(main: click.Group) -> None:
    for command in (init, import_, demo, stores, agents):
        main.add_command(command)


@click.command(cls=CrmCommand)
@click.pass_obj
def init(app: App):
    """Create or upgrade the database and register the configured store; safe to repeat.

    Example: crm --db sqlite:///crm.db init
    """
    from crm.actions.setup import init_database

    done = init_database(app)
    click.echo(
        f"database {done['database']} (schema {done['schema']}); "
        f"store {done['store']} {done['store_name']}"
        + (" registered" if done["store_registered"] else "")
    )


@click.command("import", cls=CrmCommand)
@click.argument("kind", type=click.Choice(["customers", "vehicles", "visits"]))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count every row; save nothing.")
@click.option(
    "--store", "store", metavar="CODE", help="Store code for rows without a store column."
)
@format_option("text", "json")
@click.pass_obj
def import_(app: App, kind: str, file: Path, dry_run: bool, store: str | None, fmt: str):
    """Import customers, vehicles or visits from a DMS export (.csv or .xlsx).

    Every row is stored or written to FILE.rejects.csv with its reason. Exit status:
    0 all landed, 1 some rejected, 2 the file is unusable.

    Example: crm import customers 客户资料.xlsx --dry-run
    """
    from crm.actions.setup import import_file

    ctx = store_context(app, store)
    with progress_bar(f"importing {kind}") as bar:
        task = bar.add_task(kind, total=None)
        result = import_file(
            ctx,
            kind,
            file,
            dry_run=dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if fmt == "json":
        print_json(result.as_json())
    else:
        click.echo(result.summary())
    sys.exit(result.exit_code)


@click.group(cls=CrmGroup)
def demo():
    """Demo data for trying the product and for benchmarks."""


@demo.command("seed")
@click.option("--customers", default=2000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", "seed_value", default=42, show_default=True, help="Same seed, same data.")
@click.option(
    "--today", "day", callback=iso_date, help="Date the data is built around (default today)."
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the store already has customers.")
@store_option
@click.pass_obj
def demo_seed(app: App, customers: int, seed_value: int, day, if_empty: bool, store: str | None):
    """Fill an empty store with realistic customers, cars, service histories and agents.

    Example: crm demo seed --customers 100000 --seed 7
    """
    from crm.actions.setup import seed_demo

    started = time.perf_counter()
    ctx = store_context(app, store)
    with progress_bar("seeding") as bar:
        task = bar.add_task("seed", total=customers)
        result = seed_demo(
            ctx,
            customers,
            seed_value,
            day,
            if_empty,
            progress=lambda _phase, done, total: bar.update(task, completed=done, total=total),
        )
    if result.skipped:
        click.echo(f"store {ctx.code} already has {result.existing} customers; not seeding")
    else:
        elapsed = time.perf_counter() - started
        click.echo(
            f"seeded {result.customers} customers, {result.vehicles} vehicles, "
            f"{result.visits} service visits, {result.agents} agents in {elapsed:.1f} s"
        )
    if result.logins:
        click.echo("console logins (demo passwords, unless changed since):")
        for login in result.logins:
            click.echo(
                f"  {login['role']:<8} {login['code']:<5} {login['password']:<16} {login['name']}"
            )


@click.group(cls=CrmGroup)
def stores():
    """The stores in this database (a dealer group keeps several)."""


@stores.command("list")
@format_option()
@click.pass_obj
def stores_list(app: App, fmt: str):
    """List the stores.

    Example: crm stores list --format json
    """
    from crm.actions.setup import list_stores

    rows = list_stores(app)

    def table():
        shown = rich_table("code", "name", "timezone", "customers")
        for row in rows:
            shown.add_row(row["code"], row["name"], row["timezone"], f"{row['customers']:,}")
        out.print(shown)

    emit(rows, fmt, table)


@stores.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The store's name, as customers know it.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.pass_obj
def stores_add(app: App, code: str, name: str, timezone: str):
    """Register another store of the group.

    Example: crm stores add gz02 --name 广州天河店
    """
    from crm.actions.setup import add_store

    store = add_store(app, code, name, timezone)
    click.echo(f"store {store['code']} {store['name']} added")


@click.group(cls=CrmGroup)
def agents():
    """The store's customer-service agents (客服专员)."""


@agents.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The agent's name.")
@store_option
@click.pass_obj
def agents_add(app: App, code: str, name: str, store: str | None):
    """Add an agent; new calls are spread over active agents at the next planning.

    Example: crm agents add a01 --name 李娜
    """
    from crm.actions.setup import add_agent

    agent = add_agent(store_context(app, store), code, name)
    click.echo(
        f"agent {agent['code']} {agent['name']} added; `crm calls assign` gives them calls now"
    )


@agents.command("list")
@store_option
@format_option()
@click.pass_obj
def agents_list(app: App, store: str | None, fmt: str):
    """Agents with their open calls, how many are overdue, and today's done and remaining.

    Example: crm agents list --format json
    """
    from crm.actions.setup import list_agents

    rows = list_agents(store_context(app, store))

    def table():
        shown = rich_table()
        counts = ("open calls", "overdue", "done today", "remaining today")
        for column in ("code", "name", "active", *counts):
            shown.add_column(column, justify="right" if column in counts else "left")
        for row in rows:
            shown.add_row(
                row["code"],
                row["name"],
                "yes" if row["active"] else "no",
                f"{row['open_calls']:,}",
                f"{row['overdue_calls']:,}",
                f"{row['done_today']:,}",
                f"{row['remaining_today']:,}",
            )
        out.print(shown)

    emit(rows, fmt, table)


def _set_active(app: App, code: str, store: str | None, active: bool) -> None:
    from crm.actions.setup import set_agent_active

    agent = set_agent_active(store_context(app, store), code, active)
    state = "active" if active else "inactive"
    hint = "" if active else "; `crm calls assign` hands their open calls to the others"
    click.echo(f"agent {agent['code']} is {state}{hint}")


@agents.command("deactivate")
@click.argument("code")
@store_option
@click.pass_obj
def agents_deactivate(app: App, code: str, store: str | None):
    """Mark an agent absent or gone: they get no new calls.

    Example: crm agents deactivate a01
    """
    _set_active(app, code, store, False)


@agents.command("activate")
@click.argument("code")
@store_option
@click.pass_obj
def agents_activate(app: App, code: str, store: str | None):
    """Bring an agent back: they share new calls again.

    Example: crm agents activate a01
    """
    _set_active(app, code, store, True)

"""What every command shares: error display, the common options, and one list writer."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from datetime import date, datetime

import click

from crm.actions import formula_safe
from crm.errors import (
    CrmError,
    DatabaseNotReady,
    NoActiveAgent,
    SmsTemplateError,
    StoreNotEmpty,
    UnknownStore,
)


class _Console:
    """A rich Console made on first use: importing rich costs more than a small command."""

    def __init__(self, **options):
        self._options = options
        self._console = None

    def __getattr__(self, name: str):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


out = _Console(highlight=False)
err = _Console(stderr=True, highlight=False)

# The next step the core cannot name: it knows no commands, the CLI does.
NEXT_STEP = {
    DatabaseNotReady: "; run `crm init` first",
    UnknownStore: "; `crm stores list` shows the stores",
    StoreNotEmpty: " (pass --db sqlite:///demo.db for a fresh one)",
    NoActiveAgent: "; add one with `crm agents add CODE --name NAME`",
    SmsTemplateError: "; fix it and check it with `crm sms lint`",
}


def sentence(exc: CrmError, ctx: click.Context | None) -> str:
    """The error as one line: the core's sentence, the CLI's next step, the option it is about."""
    text = str(exc)
    for kind, step in NEXT_STEP.items():
        if isinstance(exc, kind):
            text += step
            break
    option = _option(ctx, exc.field)
    if option is not None:
        override = _option(ctx, exc.override)
        text += f" ({option}" + (f"; {override} accepts it" if override else "") + ")"
    return text


def _option(ctx: click.Context | None, field: str | None) -> str | None:
    """How the command line spells the input `field` (e.g. --callback-at), if it has one."""
    while field and ctx is not None:
        for param in ctx.command.params:
            if param.name == field and isinstance(param, click.Option):
                name = max(param.opts, key=len)
                if param.is_flag:
                    return "/".join(param.opts + param.secondary_opts)
                if isinstance(param.type, click.Choice):
                    return f"{name} {'|'.join(param.type.choices)}"
                return f"{name} {param.metavar or param.type.name.upper()}"
        ctx = ctx.parent
    return None


class CrmCommand(click.Command):
    """Turns a CrmError into one line on stderr and its exit status, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CrmError as exc:
            click.echo(f"Error: {sentence(exc, ctx)}", err=True)
            ctx.exit(exc.exit_code)


class CrmGroup(click.Group):
    """A group whose commands report errors in one line; database trouble too."""

    command_class = CrmCommand

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CrmError as exc:
            click.echo(f"Error: {sentence(exc, ctx)}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:
            problem = _database_problem(exc)
            if problem is None:
                raise
            click.echo(f"Error: {problem[0]}", err=True)
            ctx.exit(problem[1])


CrmGroup.group_class = CrmGroup


def _database_problem(exc: Exception) -> tuple[str, int] | None:
    """The sentence and exit status for a database error; None for anything else."""
    if "sqlalchemy" not in sys.modules:
        return None  # SQLAlchemy is imported lazily: without it, no error can be its
    from sqlalchemy.exc import DatabaseError, DataError, IntegrityError, OperationalError

    if isinstance(exc, IntegrityError):
        return f"another process changed the same data ({_reason(exc)}); retry", 1
    if isinstance(exc, DataError):
        return f"a value does not fit ({_reason(exc)}); check the input", 2
    if isinstance(exc, OperationalError):
        return f"database unavailable ({_reason(exc)}); check --db", 2
    if isinstance(exc, DatabaseError):  # after its subclasses: e.g. a file that is no database
        return f"cannot use the database ({_reason(exc)}); check --db", 2
    return None


def _reason(exc) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


# -- option values ------------------------------------------------------------------------


def _iso(value: str | None, parse, like: str):
    """`value` parsed by `parse` (ISO 8601), within the years the calendars know."""
    if value is None:
        return None
    try:
        parsed = parse(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not {like}") from None
    if not 1900 <= parsed.year <= 2200:
        raise click.BadParameter(f"{value} is outside the years 1900-2200")
    return parsed


def iso_date(_ctx, _param, value: str | None) -> date | None:
    return _iso(value, date.fromisoformat, "a date like 2026-03-05")


def local_datetime(_ctx, _param, value: str | None) -> datetime | None:
    """An ISO 8601 date-time; without an offset it is store time."""
    return _iso(value, datetime.fromisoformat, "a time like 2026-03-12T15:00")


ROW_ID = click.IntRange(1, 2**31 - 1)  # ids are 32-bit on PostgreSQL
# A count or a limit: far beyond any real one, and inside a 64-bit integer the database
# (and SQLite's LIMIT) can hold.
COUNT = click.IntRange(1, 1_000_000_000)
SECONDS = click.FloatRange(0, 366 * 86_400)  # a year: any longer look-back is a typo

# -- the shared options -------------------------------------------------------------------

store_option = click.option(
    "--store", "store", metavar="CODE", help="Store code (default: the configured store)."
)


def date_option(help: str = "The day (default: today, store time)."):
    return click.option("--date", "day", callback=iso_date, metavar="YYYY-MM-DD", help=help)


def format_option(*choices: str, default: str | None = None):
    choices = choices or ("table", "json")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
    )


# -- writing results ----------------------------------------------------------------------


def print_json(data) -> None:
    # Indented for people; compact for pipes and scripts (json's C encoder, 5x faster on
    # a few thousand rows).
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent, default=str))


def write_csv(rows: list[dict], columns: list[str] | None = None) -> None:
    columns = columns or (list(rows[0]) if rows else [])
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # Escaped like the xlsx report: these files are opened in Excel.
        writer.writerow({k: "" if row.get(k) is None else formula_safe(row[k]) for k in columns})


def emit(data, fmt: str, table: Callable[[], None], columns: list[str] | None = None) -> None:
    """The one writer: json and csv for scripts and spreadsheets, `table()` for people."""
    if fmt == "json":
        print_json(data)
    elif fmt == "csv":
        write_csv(data, columns)
    else:
        table()


def rich_table(*headers: str, box: str | None = None, **options):
    """A rich Table (imported here, when a command shows one); `box` names a rich box style."""
    from rich import box as boxes
    from rich.table import Table

    if box is not None:
        options["box"] = getattr(boxes, box)
    return Table(*headers, **options)


def working(label: str):
    """A spinner on stderr while the core works; nothing (and no rich) when it is not a terminal."""
    if not sys.stderr.isatty():
        from contextlib import nullcontext

        return nullcontext()
    return err.status(label, spinner="dots")


def progress_bar(label: str):
    """A bar on stderr for long work; silent when stderr is not a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def store_context(app, code: str | None):
    """The context of `--store` (default: the configured store), on its own clock."""
    from crm.actions.context import acting, open_store

    return acting(open_store(app, code), cli_actor())


def cli_actor() -> str:
    """Who runs the command, as the audit trail names them: `cli:<os user>`."""
    import getpass

    try:  # a container may have no user name
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"

"""The consoles: `crm users add|list|disable|enable|reset-password|set-role` and `crm serve`."""

from __future__ import annotations

import sys

import click

from commands.base import CrmCommand, CrmGroup, cli_actor, emit, format_option, store_option
from crm.app import App
from crm.errors import UsageError

ROLES = ["agent", "manager", "admin"]


def register(main: click.Group) -> None:
    main.add_command(users)
    main.add_command(serve)


@click.group(cls=CrmGroup)
def users():
    """Logins to the consoles: agents, managers, admins."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UsageError("no password on standard input", field="password")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add", cls=CrmCommand)
@click.argument("code")
@click.option("--name", required=True, help="The person's name, e.g. 李晓梅.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the login may see.")
@store_option
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def users_add(app: App, code: str, name: str, role: str, store: str | None, password_stdin: bool):
    """A new login; an agent's is the store's call-desk agent with the same code.

    Example: crm users add a05 --name 赵晨 --role agent
    """
    from crm.actions.users import add_user

    user = add_user(app, code, name, role, _password(password_stdin), store, actor=cli_actor())
    where = f" in store {user['store'] or app.settings.store.code}" if role != "admin" else ""
    click.echo(f"user {user['code']} ({user['name']}) added as {user['role']}{where}")


@users.command("list", cls=CrmCommand)
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def users_list(app: App, store: str | None, fmt: str):
    """Every login with its role, store and last sign-in.

    Example: crm users list --format json
    """
    from crm.actions.users import list_users

    rows = list_users(app, store)
    columns = ["code", "name", "role", "store", "active", "last_login_at"]

    def table():
        from rich.table import Table

        from commands.base import out

        sheet = Table(*columns)
        for row in rows:
            sheet.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        out.print(sheet)

    emit(rows, fmt, table, columns)


@users.command("disable", cls=CrmCommand)
@click.argument("code")
@click.pass_obj
def users_disable(app: App, code: str):
    """Stop a login at once (its open pages included); its calls and history stay.

    Example: crm users disable a04
    """
    from crm.actions.users import disable_user

    disable_user(app, code, actor=cli_actor())
    click.echo(f"user {code} disabled")


@users.command("enable", cls=CrmCommand)
@click.argument("code")
@click.pass_obj
def users_enable(app: App, code: str):
    """Let a disabled login sign in again.

    Example: crm users enable a04
    """
    from crm.actions.users import set_user_active

    set_user_active(app, code, True, actor=cli_actor())
    click.echo(f"user {code} enabled")


@users.command("set-role", cls=CrmCommand)
@click.argument("code")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the login may see.")
@store_option
@click.pass_obj
def users_set_role(app: App, code: str, role: str, store: str | None):
    """Give a login another role or store; its open sessions end.

    Example: crm users set-role m02 --role manager --store gz02
    """
    from crm.actions.users import set_role

    if role != "admin" and store is None:
        store = app.settings.store.code
    user = set_role(app, code, role, store, actor=cli_actor())
    where = f" in store {user['store']}" if user["store"] else ""
    click.echo(f"user {user['code']} is now {user['role']}{where}")


@users.command("reset-password", cls=CrmCommand)
@click.argument("code")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def users_reset_password(app: App, code: str, password_stdin: bool):
    """Give a login a new password; its sessions end at their next page.

    Example: crm users reset-password a01
    """
    from crm.actions.users import reset_password

    reset_password(app, code, _password(password_stdin), actor=cli_actor())
    click.echo(f"password of {code} reset")


@click.command(cls=CrmCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--with-scheduler", is_flag=True, help="Also run the scheduler (as `make run` does).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, with_scheduler: bool):
    """The agents' console in a browser; Ctrl-C stops it.

    Example: crm serve --port 8000
    """
    from web.serve import run

    app: App = ctx.obj
    root = ctx.find_root().params
    run(app, host, port, scheduler_args=_global_args(root) if with_scheduler else None)


def _global_args(params: dict) -> list[str]:
    """The global options again, for the scheduler process started beside the console."""
    args = ["--db", params["db"]]
    if params.get("config"):
        args[:0] = ["--config", str(params["config"])]
    return args

"""The `crm` command's commands, by area; `cli.py` registers them on the entry point.

Each command parses its options, calls one action in `crm/actions/` and shows the
result. Modules import only click at load time, and the actions are imported inside the
commands: rich, SQLAlchemy and the settings wait for a command that uses them, so
`crm --help` stays fast.
"""

from __future__ import annotations

import click

AREAS = (
    "setup",
    "planning",
    "workers",
    "calls",
    "customers",
    "cases",
    "sms",
    "report",
    "users",
    "audit",
)


def register(main: click.Group) -> None:
    """Add every area's commands to `main`."""
    from importlib import import_module

    for area in AREAS:
        import_module(f"commands.{area}").register(main)

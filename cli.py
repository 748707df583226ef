"""The `crm` entry point: global options, error display, and the command groups.

The commands themselves live in `commands/` by area; each calls one action of
`crm/actions/` and prints its result.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from commands import register
from commands.base import CrmGroup
from crm.app import DEFAULT_DATABASE_URL, App


@click.group(cls=CrmGroup)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CRM_CONFIG",
    metavar="PATH",
    help="Settings file (default ./config.toml).",
)
@click.option(
    "--db",
    "db",
    envvar="CRM_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    metavar="URL",
    help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB.",
)
@click.version_option(package_name="crm-followup-desk")
@click.pass_context
def main(ctx, config: Path | None, db: str):
    """The follow-up desk for car dealerships.

    Example: crm init && crm import customers customers.xlsx
    """
    # Settings (pydantic) load here, not at import: `crm --help` never needs them.
    from crm.config import load_settings

    # Every file this tool creates may hold customer data (the SQLite database and its
    # journals, rejects, reports, exports): owner and group only, 0640 and folders 0750,
    # so a manager in the service's group can read them and other users cannot.
    os.umask(0o027)
    ctx.obj = App(settings=load_settings(config), database_url=db)


register(main)


if __name__ == "__main__":
    main()

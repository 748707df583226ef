"""The scheduled work's health and its workers: `crm status`, `crm worker`."""

from __future__ import annotations

import click

from commands.base import CrmCommand, err, format_option, out, print_json, rich_table
from crm.app import App
from crm.errors import UsageError


def register(main: click.Group) -> None:
    for command in (status, worker):
        main.add_command(command)


@click.command(cls=CrmCommand)
@format_option()
@click.pass_obj
def status(app: App, fmt: str):
    """Each store's planning (warns when a day is not planned by 07:00 its time), the live
    workers and each job's last and next run per store.

    Example: crm status --format json
    """
    from crm.actions.planning import planning_status
    from crm.actions.workers import worker_status

    stores, health = planning_status(app), worker_status(app)
    if fmt == "json":
        print_json({"stores": stores} | health)
        return
    for entry in stores:
        created = ", ".join(f"{k} {v}" for k, v in sorted(entry["created"].items())) or "nothing"
        out.print(
            f"{entry['store']}: last planned {entry['last_planned_day'] or 'never'}"
            + (
                f" (ran {_local(entry['finished_local'])} {entry['timezone']} on {entry['host']});"
                f" created {created}"
                if entry["last_planned_day"]
                else ""
            )
        )
        if entry["warning"]:
            err.print(
                f"[yellow]warning:[/yellow] {entry['store']}: {entry['warning']}; "
                f"run `crm plan --store {entry['store']}`"
            )
    if health["database"] == "sqlite":
        lock = health["scheduler"]
        out.print(
            f"scheduler: process {lock['pid']} on {lock['host']}"
            if lock
            else "scheduler: none running (`crm scheduler run`)"
        )
        return
    _workers_table(health["workers"])
    _jobs_table(health["jobs"])


def _workers_table(workers: list[dict]) -> None:
    shown = rich_table("host", "pid", "last heartbeat", "ago (s)", "running", title="workers")
    for row in workers:
        mark = "" if row["alive"] else " [yellow](silent)[/yellow]"
        shown.add_row(
            row["host"],
            str(row["pid"]),
            row["last_heartbeat"][:19] + mark,
            f"{row['seconds_since_heartbeat']:.0f}",
            str(row["running"]),
        )
    out.print(shown)
    if not any(row["alive"] for row in workers):
        err.print("[yellow]warning:[/yellow] no worker is alive: nothing is planned or sent")


def _jobs_table(jobs: list[dict]) -> None:
    shown = rich_table(
        "job",
        "store",
        "last run",
        "status",
        "lag (s)",
        "next",
        title="jobs (times on each store's clock; shared jobs in UTC)",
    )
    for row in jobs:
        lag = row["lag_seconds"]
        if row["waiting_seconds"] is not None:
            lag = f"{row['waiting_seconds']:.0f} waiting"
        shown.add_row(
            row["job"],
            row["store"],
            _short(row["last_started"], row["timezone"]) or "never",
            row["last_status"] or "",
            "" if lag is None else str(lag),
            _short(row["next"], row["timezone"]),
        )
    out.print(shown)


def _local(moment: str) -> str:
    """2026-03-10T14:30:05.123+08:00 as 2026-03-10 14:30:05."""
    return moment[:19].replace("T", " ")


def _short(moment: str | None, zone: str) -> str | None:
    """2026-03-10T06:30:00+00:00 as 03-10 14:30 on the clock of `zone` (Asia/Shanghai)."""
    if not moment:
        return None
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).strftime("%m-%d %H:%M")


@click.command(cls=CrmCommand)
@click.pass_obj
def worker(app: App):
    """Share the scheduled work with any other workers on the same PostgreSQL database,
    until Ctrl-C or SIGTERM: each store's planning, SMS, delivery reports, month reports.

    Start as many as you like, on one machine or several; none leads, and a stopped or
    killed one's work is taken over by the others. On SQLite run `crm scheduler run`.

    Example: crm --db postgresql://crm@db/crm worker
    """
    from crm.actions.workers import WorkersNeedPostgres
    from jobs.worker import run

    try:
        run(app)
    except WorkersNeedPostgres as exc:
        raise UsageError(
            f"{exc}: give --db postgresql://…, or run `crm scheduler run`", field="db"
        ) from None

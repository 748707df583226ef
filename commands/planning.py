"""Planning: `crm today`, `crm plan`, `crm campaign`, `crm scheduler`."""

from __future__ import annotations

import click

from commands.base import (
    CrmCommand,
    CrmGroup,
    date_option,
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


def register(main: click.Group) -> None:
    for command in (today, plan, campaign, scheduler):
        main.add_command(command)


@click.command(cls=CrmCommand)
@date_option("The day to show (default: today, store time).")
@store_option
@format_option()
@click.pass_obj
def today(app: App, day, store: str | None, fmt: str):
    """A short picture of the day: calls due, SMS queued, the store's size.

    Example: crm today --date 2026-03-05
    """
    from crm.actions.planning import today as picture

    data = picture(store_context(app, store), day)

    def table():
        shown = rich_table(title=f"{data['store_name']} · {data['date']}", show_header=False)
        shown.add_column("what")
        shown.add_column("count", justify="right")
        for label, key in [
            ("calls due today", "calls_due"),
            ("  of which overdue", "calls_overdue"),
            ("SMS queued", "sms_queued"),
            ("customers", "customers"),
            ("vehicles", "vehicles"),
            ("service visits", "service_visits"),
        ]:
            shown.add_row(label, f"{data[key]:,}")
        out.print(shown)

    emit(data, fmt, table)


@click.command(cls=CrmCommand)
@date_option("Day to plan (default: each store's today, its own time).")
@click.option("--dry-run", is_flag=True, help="Show the work (default: tomorrow's) without saving.")
@click.option("--store", "store", metavar="CODE", help="Plan one store (default: every store).")
@format_option()
@click.pass_obj
def plan(app: App, day, dry_run: bool, store: str | None, fmt: str):
    """Plan a day's calls and messages, catching up the days missed since the last run.

    Planning twice, or from two processes at once, creates nothing new.

    Example: crm plan --dry-run --format json
    """
    from crm.actions.planning import plan as run

    results = run(app, day=day, dry_run=dry_run, store_code=store)
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
        shown = rich_table(title=title)
        shown.add_column("kind")
        shown.add_column("created", justify="right")
        for kind, count in sorted(result.created.items()):
            shown.add_row(kind, f"{count:,}")
        for reason, count in sorted(result.skipped.items()):
            shown.add_row(f"[dim]skipped: {reason}[/dim]", f"[dim]{count:,}[/dim]")
        if not result.created and not result.skipped:
            shown.add_row("[dim]nothing new[/dim]", "0")
        out.print(shown)


@click.group(cls=CrmGroup)
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
@click.option("--when", help="When it takes place, for the calls, e.g. 12月20日-21日.")
@click.option("--where", help="Where, for the calls, e.g. 本店售后接待大厅.")
@click.option("--offer", help="What the customer gets, for the calls, e.g. 工时费8折.")
@date_option("Launch day (default: today, store time).")
@store_option
@click.option("--dry-run", is_flag=True, help="Count the audience and what would be queued.")
@format_option()
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
    when,
    where,
    offer,
    day,
    store,
    dry_run,
    fmt,
):
    """Launch a campaign: SMS (and with --call, invitation calls) to a segment, once.

    Example: crm campaign launch 秋季服务节 --template service_festival --min-age-months 12
    --call --when 12月20日 --where 本店 --offer 工时费8折
    """
    from crm.actions.planning import launch_campaign

    result = launch_campaign(
        store_context(app, store),
        name,
        template,
        models=tuple(models),
        min_age_months=min_age_months,
        max_age_months=max_age_months,
        no_visit_since=no_visit_since,
        visited_since=visited_since,
        consent=consent,
        day=day,
        with_calls=with_calls,
        call_days=call_days,
        dry_run=dry_run,
        when=when,
        where=where,
        offer=offer,
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
@store_option
@format_option()
@click.pass_obj
def campaign_list(app: App, store: str | None, fmt: str):
    """The campaigns launched, with what each queued.

    Example: crm campaign list --format json
    """
    from crm.actions.planning import list_campaigns

    rows = list_campaigns(store_context(app, store))

    def table():
        shown = rich_table("id", "name", "template", "launched", "SMS", "calls")
        for row in rows:
            shown.add_row(
                str(row["id"]),
                row["name"],
                row["template"],
                row["launched_on"],
                f"{row['sms']:,}",
                f"{row['calls']:,}",
            )
        out.print(shown)

    emit(rows, fmt, table)


@click.group(cls=CrmGroup)
def scheduler():
    """The scheduler: each store's planning, SMS dispatch and sync, the month-end report."""


@scheduler.command("run")
@click.pass_obj
def scheduler_run(app: App):
    """Run the scheduled jobs until Ctrl-C or SIGTERM.

    \b
    - planning: at start, then each store's day at 06:30 of its own time
    - SMS dispatch: every minute, inside the send window (sms.send_window)
    - SMS delivery reports and replies: every 5 minutes (not with the console backend)
    - month-end report: each store's last month on the 1st from report.scheduled_hour
      (10:00), written again when that month's visits are imported later

    On SQLite only one scheduler runs per database; a second one says who holds the
    lock. On PostgreSQL this is one `crm worker`, beside any number of others.

    Example: crm scheduler run
    """
    from crm.actions.workers import on_postgresql

    if on_postgresql(app):
        from jobs.worker import run
    else:
        from jobs.scheduler import run
    run(app)

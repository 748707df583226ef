"""SMS: `crm sms lint|preview|optout|send|reconcile|sync|outbox`."""

from __future__ import annotations

import sys

import click

from commands.base import (
    COUNT,
    SECONDS,
    CrmGroup,
    cli_actor,
    emit,
    err,
    format_option,
    out,
    print_json,
    progress_bar,
    rich_table,
    store_context,
    store_option,
)
from crm.app import App
from crm.errors import CrmError

STATUSES = ["queued", "sending", "sent", "delivered", "undelivered", "failed"]
STATUSES += ["cancelled", "expired"]


def register(main: click.Group) -> None:
    main.add_command(sms)


class SmsGroup(CrmGroup):
    """A provider's failure, too, reaches the user as one sentence, never a traceback."""

    def invoke(self, ctx):
        from crm.actions.sms import ProviderError

        try:
            return super().invoke(ctx)
        except ProviderError as exc:
            raise CrmError(f"the SMS provider failed: {exc}") from None


@click.group(cls=SmsGroup)
def sms():
    """SMS: templates, consent, the outbox and its provider (console, Twilio, Aliyun, Tencent)."""


@sms.command("lint")
@format_option()
@click.pass_obj
def sms_lint(app: App, fmt: str):
    """Render every template with sample data: characters, encoding, segments and problems.

    Fails (exit 1) on a missing variable, a link where the route forbids them, or more
    segments than sms.max_segments; with Aliyun or Tencent, also on a template that drifts
    from its approved text (sms.approved), a slot that can exceed the provider's limit, a
    marketing template without the opt-out, or no signature.

    Example: crm sms lint --format json
    """
    from crm.actions.sms import lint_templates

    findings = lint_templates(app)
    if fmt == "json":
        print_json([f.as_json() for f in findings])
    else:
        table = rich_table(
            "source", "template", "category", "chars", "encoding", "segments", "result"
        )
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
@click.option("--customer", required=True, metavar="REF", help="Customer code or id.")
@click.option("--campaign", help="Campaign name for campaign templates.")
@click.option(
    "--reminder",
    type=click.Choice(["first_service", "maintenance"]),
    default="maintenance",
    show_default=True,
    help="Which reminder a reminder_fallback follows.",
)
@store_option
@format_option("text", "json")
@click.pass_obj
def sms_preview(app: App, kind, customer, campaign, reminder, store, fmt):
    """The exact text one customer would get for KIND (their queued message when there is one).

    Example: crm sms preview birthday_sms --customer C001
    """
    from crm.actions.sms import preview

    data = preview(store_context(app, store), kind, customer, campaign, reminder)
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
    from crm.actions.sms import opt_out

    result = opt_out(app, phone, source, actor=cli_actor())
    click.echo(
        f"{result['phone']}: consent withdrawn for {result['customers']} customer(s); "
        f"{result['cancelled']} queued message(s) cancelled"
    )


@sms.command("send")
@click.option("--limit", type=COUNT, help="Send at most N messages.")
@format_option("text", "json")
@click.pass_obj
def sms_send(app: App, limit: int | None, fmt: str):
    """Send what is due, in the send window, paced to sms.rate_per_second.

    Stale rows left in sending by a stopped sender are reconciled first. Exit 1 when
    some messages failed, wait for a retry or await reconciliation.

    Example: crm sms send --limit 100
    """
    from crm.actions.sms import make_sender, send_due

    sender = make_sender(app)
    with progress_bar("sending") as bar:
        task = bar.add_task("send", total=limit)
        settled, result = send_due(
            app, sender, limit, progress=lambda done: bar.update(task, completed=done)
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
    type=SECONDS,
    help="Settle rows claimed this many seconds ago or earlier (default "
    "sms.reconcile_after_seconds); 0 only when no sender is running.",
)
@format_option("text", "json")
@click.pass_obj
def sms_reconcile(app: App, older_than: float | None, fmt: str):
    """Settle messages left in sending by the provider's log: sent when it has them, re-queued
    only when it certainly does not.

    Example: crm sms reconcile --older-than 0
    """
    from crm.actions.sms import make_sender, reconcile

    counts = reconcile(app, make_sender(app), older_than)
    data = {k: counts[k] for k in ("found_sent", "requeued", "unknown", "claimed_again")}
    if fmt == "json":
        print_json(data)
    else:
        click.echo(", ".join(f"{k} {v}" for k, v in data.items()))
    sys.exit(1 if counts["unknown"] else 0)


@sms.command("sync")
@format_option("text", "json")
@click.pass_obj
def sms_sync(app: App, fmt: str):
    """Fetch delivery status and replies (opt-outs) for the last sms.sync_days days.

    For stores without a public URL for the provider's webhooks.

    Example: crm sms sync --format json
    """
    from crm.actions.sms import make_sender, sync

    data = sync(app, make_sender(app))
    if fmt == "json":
        print_json(data)
        return
    for part in ("statuses", "replies"):
        counts = ", ".join(f"{k} {v}" for k, v in sorted(data[part].items())) or "nothing new"
        click.echo(f"{part}: {counts}")


@sms.command("outbox")
@click.option("--status", type=click.Choice(STATUSES), help="Only messages in this state.")
@click.option("--limit", default=100, show_default=True, type=COUNT)
@store_option
@format_option("table", "json", "csv")
@click.pass_obj
def sms_outbox(app: App, status, limit, store, fmt):
    """The newest messages and what became of each: status, provider id, error, cost.

    Example: crm sms outbox --status failed --format json
    """
    from crm.actions.sms import outbox

    rows = outbox(store_context(app, store), status, limit)

    def table():
        sheet = rich_table(
            "id", "kind", "customer", "phone", "status", "send after", "seg", "error", "text"
        )
        for row in rows:
            sheet.add_row(
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
        out.print(sheet)

    emit(rows, fmt, table, list(rows[0]) if rows else ["message_id"])

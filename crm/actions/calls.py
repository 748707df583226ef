"""The call desk: the day's list, one call with its customer's history, results, assignment."""

from __future__ import annotations

from datetime import date

from crm.actions.context import StoreContext, store_of
from crm.app import App
from crm.errors import NoActiveAgent, NotFound


def day_list(
    ctx: StoreContext,
    day: date | None = None,
    agent_code: str | None = None,
    limit: int | None = None,
) -> dict:
    """The calls of the store's day (default its today): overdue first, with what to say."""
    from crm.calls.agents import get_agent
    from crm.calls.desk import day_list as listed

    day = day or ctx.today
    with ctx.session() as session:
        store = ctx.store(session)
        agent = get_agent(session, store, agent_code) if agent_code else None
        rows = listed(session, store, day, ctx.locale, agent=agent, limit=limit)
    return {
        "store": ctx.code,
        "store_name": ctx.name,
        "date": day.isoformat(),
        "agent": {"code": agent.code, "name": agent.name} if agent else None,
        "rows": rows,
    }


def day_list_workbook(
    ctx: StoreContext,
    day: date | None = None,
    agent_code: str | None = None,
    limit: int | None = None,
) -> bytes:
    """The day's calls as an .xlsx for a spreadsheet, in the store's words."""
    from crm.calls.export import workbook

    data = day_list(ctx, day, agent_code, limit)
    title = f"{data['store_name']} · {data['date']}"
    if data["agent"]:
        title += f" · {data['agent']['name']}"
    return workbook(data["rows"], title, ctx.locale)


def spreadsheet_rows(rows: list[dict]) -> list[dict]:
    """The list's rows with their phones as people write them, for a CSV file."""
    from crm.calls.export import spreadsheet_row

    return [spreadsheet_row(row) for row in rows]


def task_context(app: App, task_id: int) -> StoreContext:
    """The context of the store a task belongs to; an unknown task is refused."""
    from crm.models import FollowupTask

    with app.session() as session:
        task = session.get(FollowupTask, task_id)
        if task is None:
            raise NotFound(
                f"no call task {task_id}; the day's list shows each call's number",
                field="task_id",
            )
        store_id = task.store_id
    return store_of(app, store_id)


def show_call(app: App, task_id: int) -> dict:
    """The call and its customer's whole history, in the task's store's time."""
    from crm.calls.history import task_history

    ctx = task_context(app, task_id)
    with ctx.session() as session:
        return task_history(session, task_id, ctx.locale, ctx.now)


def log_call(app: App, task_id: int, outcome: str, **details) -> dict:
    """Record a call's result: the task closes, retries or is rescheduled.

    `details` are the fields of `crm.calls.results.CallLog` (satisfaction, mileage_km,
    force, note, tags, complaint_category, complaint_text, callback_at in store time,
    agent_code, opt_out, solved, user_id), each optional.
    """
    from crm.calls.results import CallLog
    from crm.calls.results import log_call as log

    ctx = task_context(app, task_id)
    call = CallLog(task_id=task_id, outcome=outcome, **details)
    with ctx.session() as session:
        result = log(session, ctx.settings, call, ctx.now)
    return result.as_json(ctx.zone)


def correct_call(ctx: StoreContext, task_id: int, reason: str, **corrected) -> dict:
    """Amend the last logged result of a call (outcome, satisfaction, mileage, note), with why.

    `ctx` is the task's store as the caller may see it (`task_context`, or the console's
    `call_store`); `ctx.actor` is recorded as who corrected it.
    """
    from crm.calls.corrections import correct_call as correct

    with ctx.session() as session:
        return correct(session, task_id, reason=reason, actor=ctx.actor, now=ctx.now, **corrected)


def assign(ctx: StoreContext, rebalance: bool = False) -> dict:
    """Give every open call an active agent; with `rebalance`, even out the loads too.

    What moved is written to the audit trail in the same transaction.
    """
    from crm.access.audit import record
    from crm.calls.assignment import assign as run

    with ctx.session() as session:
        result = run(session, ctx.store_id, ctx.now, rebalance=rebalance)
        if result.assigned or result.moved:  # a run that moved nothing changed nothing
            record(
                session,
                store_id=ctx.store_id,
                actor=ctx.actor,
                action="reassign",
                at=ctx.now,
                subject="rebalance" if rebalance else "assign",
                detail=result.as_json() | {"rebalance": rebalance},
            )
        session.commit()
    if not result.agents:
        raise NoActiveAgent("no active agent")
    return result.as_json()

"""Setting a store up: the database, the stores, their agents, demo data, DMS imports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from crm import db
from crm.actions.context import StoreContext
from crm.app import App


def init_database(app: App) -> dict:
    """Create or upgrade the schema and register the configured store; safe to repeat."""
    from crm.stores import ensure_store

    engine = db.make_engine(app.database_url)
    before, after = db.upgrade(engine)
    with db.session(engine) as session:
        store, created = ensure_store(session, app.settings.store)
    if before != after:
        db.analyze(engine)  # a migration may have rewritten tables or added indexes
    engine.dispose()
    state = "created" if before is None else ("upgraded" if before != after else "already current")
    return {
        "database": state,
        "schema": after,
        "store": store.code,
        "store_name": store.name,
        "store_registered": created,
    }


def add_store(app: App, code: str, name: str, timezone: str) -> dict:
    """Register another store of the group; a bad code, name or zone is refused."""
    from crm.stores import add_store as add

    with app.session() as session:
        store = add(session, code, name, timezone)
        return {"code": store.code, "name": store.name, "timezone": store.timezone}


def list_stores(app: App) -> list[dict]:
    from crm.stores import list_stores as listed

    with app.session() as session:
        return listed(session)


def add_agent(ctx: StoreContext, code: str, name: str) -> dict:
    """A new agent; new calls are spread over the active agents at the next assignment."""
    from crm.calls.agents import add_agent as add

    with ctx.session() as session:
        agent = add(session, ctx.store(session), code, name)
        return {"code": agent.code, "name": agent.name, "active": agent.active}


def list_agents(ctx: StoreContext) -> list[dict]:
    """The agents with their open calls, how many are overdue, and their day so far.

    `done_today` is each call logged since the store's day began and `remaining_today`
    the calls still on today's list: the same figures as the agent's My day and the
    manager's dashboard.
    """
    from crm.calls.agents import list_agents as listed
    from crm.overview.desk import agents_today

    day_start = datetime.combine(ctx.today, time(), ctx.zone)
    with ctx.session() as session:
        rows = listed(session, ctx.store(session), ctx.today)
        today = {
            row["code"]: row
            for row in agents_today(session, ctx.store_id, ctx.today, day_start)
            if row["code"] is not None
        }
    for row in rows:
        day = today.get(row["code"], {})
        row["done_today"] = day.get("done", 0)
        row["remaining_today"] = day.get("open", 0)
    return rows


def set_agent_active(ctx: StoreContext, code: str, active: bool) -> dict:
    """An agent absent or gone (no new calls), or back; the change is in the audit trail."""
    from crm.access.audit import record
    from crm.calls.agents import set_active

    with ctx.session() as session:
        agent, changed = set_active(session, ctx.store(session), code, active)
        if changed:
            record(
                session,
                store_id=ctx.store_id,
                actor=ctx.actor,
                action="agent_active",
                at=ctx.now,
                subject=f"{agent.code} {agent.name}",
                detail={"agent": agent.code, "active": active},
            )
        session.commit()
        return {"code": agent.code, "name": agent.name, "active": agent.active}


def seed_demo(
    ctx: StoreContext,
    customers: int,
    seed_value: int,
    day: date | None = None,
    if_empty: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
):
    """Fill an empty store with realistic customers, cars, histories and agents."""
    from crm.access.demo import demo_logins
    from crm.demo import AGENTS, seed

    with ctx.session() as session:
        seeded = seed(
            session,
            ctx.store(session),
            customers=customers,
            seed_value=seed_value,
            today=day or ctx.today,
            now=ctx.now,
            if_empty=if_empty,
            maintenance=ctx.settings.maintenance,
            progress=progress,
        )
        store = ctx.store(session)
        # Known passwords only in a store the demo filled: never in a real store's data.
        seeded.logins = demo_logins(session, store, AGENTS, ctx.now, create=not seeded.skipped)
    db.analyze(ctx.app.engine, SEEDED)
    return seeded


# The tables a demo seed fills, whose statistics it refreshes.
SEEDED = ("customer", "vehicle", "vehicle_ownership", "service_visit", "agent", "app_user")


def import_file(
    ctx: StoreContext,
    kind: str,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
):
    """Import a DMS export; every row is stored or written to the rejects file with its reason.

    An import (not a dry run) is kept in the audit trail: who, which file, what landed.
    """
    from crm.importing import IMPORTS, run_import

    result = run_import(
        ctx.app.engine,
        kind,
        path,
        store_code=ctx.code,
        today=ctx.today,
        now=ctx.now,
        phone_region=ctx.phone_region,
        batch_size=ctx.settings.imports.batch_size,
        dry_run=dry_run,
        progress=progress,
    )
    if not dry_run:
        db.analyze(ctx.app.engine, IMPORTS[kind].writes)
        _record_import(ctx, kind, path.name, result)
    return result


def _record_import(ctx: StoreContext, kind: str, name: str, result) -> None:
    # A file lands in many transactions (a batch each), so its row follows the last one.
    from crm.access.audit import record

    counts = ("new", "updated", "unchanged", "rejected")
    with ctx.session() as session:
        record(
            session,
            store_id=ctx.store_id,
            actor=ctx.actor,
            action="import",
            at=ctx.now,
            subject=f"{kind} {name}",
            detail={
                "kind": kind,
                "file": name,
                "rows": result.rows,
                **{count: getattr(result, count) for count in counts},
            },
        )
        session.commit()


def database_reachable(app: App) -> bool:
    """Whether the database answers a trivial query now."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with app.session() as session:
            session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False

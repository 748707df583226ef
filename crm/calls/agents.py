"""The customer-service agents (客服专员) of a store."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, select

from crm.errors import NotFound, UsageError
from crm.models import Agent, Channel, FollowupTask, Store, TaskStatus


def add_agent(session: Session, store: Store, code: str, name: str) -> Agent:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", code):
        raise UsageError(f"agent code {code!r} must be 1-32 letters, digits, - or _", field="code")
    if not name.strip():
        raise UsageError("an agent needs a name, e.g. 李娜", field="name")
    existing = session.exec(
        select(Agent).where(Agent.store_id == store.id, Agent.code == code)
    ).first()
    if existing is not None:
        raise UsageError(
            f"agent {code} already exists in store {store.code}; pick another code", field="code"
        )
    agent = Agent(store_id=store.id, code=code, name=name)
    session.add(agent)
    session.commit()
    return agent


def get_agent(session: Session, store: Store, code: str) -> Agent:
    agent = session.exec(
        select(Agent).where(Agent.store_id == store.id, Agent.code == code)
    ).first()
    if agent is None:
        raise NotFound(
            f"no agent {code} in store {store.code}; the agents list shows their codes",
            field="agent",
        )
    return agent


def set_active(session: Session, store: Store, code: str, active: bool) -> tuple[Agent, bool]:
    """The agent, now `active` or not, and whether that changed anything (the caller commits)."""
    agent = get_agent(session, store, code)
    changed = agent.active != active
    agent.active = active
    session.add(agent)
    session.flush()
    return agent, changed


def list_agents(session: Session, store: Store, day: date) -> list[dict]:
    """Every agent with their open calls and how many of those are overdue on `day`."""
    open_calls = (
        FollowupTask.store_id == store.id,
        FollowupTask.status == TaskStatus.OPEN,
        FollowupTask.channel == Channel.PHONE,
        FollowupTask.agent_id.is_not(None),
    )
    load = {
        agent_id: (total, overdue or 0)
        for agent_id, total, overdue in session.execute(
            select(
                FollowupTask.agent_id,
                func.count(),
                func.sum(case((FollowupTask.due_date < day, 1), else_=0)),
            )
            .where(*open_calls)
            .group_by(FollowupTask.agent_id)
        )
    }
    agents = session.exec(select(Agent).where(Agent.store_id == store.id).order_by(Agent.code))
    return [
        {
            "code": agent.code,
            "name": agent.name,
            "active": agent.active,
            "open_calls": load.get(agent.id, (0, 0))[0],
            "overdue_calls": load.get(agent.id, (0, 0))[1],
        }
        for agent in agents
    ]

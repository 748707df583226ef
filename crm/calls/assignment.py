"""Who calls whom: open calls spread over active agents by load, a customer kept with one agent.

A customer talks to the same agent every time: their open calls all go to the agent
who already has one of them, else to the agent who called them last, as long as that
agent is active. Everyone else goes to the least loaded active agent. Calls of an
agent who was deactivated are handed over the same way.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from sqlalchemy import func, update
from sqlmodel import Session, select

from crm.db import one_of, read
from crm.models import Agent, Channel, ContactAttempt, FollowupTask, TaskStatus

CHUNK = 5000


@dataclass
class AssignResult:
    assigned: int = 0  # calls that had no (active) agent
    moved: int = 0  # calls moved between active agents by --rebalance
    agents: int = 0

    def as_json(self) -> dict:
        return {"assigned": self.assigned, "moved": self.moved, "agents": self.agents}


def _open_calls(store_id: int):
    return (
        FollowupTask.store_id == store_id,
        FollowupTask.status == TaskStatus.OPEN,
        FollowupTask.channel == Channel.PHONE,
    )


def assign(
    session: Session, store_id: int, now: datetime, *, rebalance: bool = False
) -> AssignResult:
    """Give every open call an active agent; with `rebalance`, even out the loads too.

    Nothing is committed here: the caller's transaction holds the moves.
    """
    active = list(
        session.exec(select(Agent.id).where(Agent.store_id == store_id, Agent.active)).all()
    )
    result = AssignResult(agents=len(active))
    if not active:
        return result
    orphans = _orphans(session, store_id, active)
    if not orphans and not rebalance:
        return result  # every call has an active agent: no need to count their loads
    load, owner = _loads(session, store_id, active)

    if orphans:
        _last_caller(session, [c for c in orphans if c not in owner], set(active), owner)
    heap = [(count, agent_id) for agent_id, count in load.items()]
    heapq.heapify(heap)
    changes: list[tuple[int, list[int]]] = []
    for customer_id, tasks in orphans.items():
        agent_id = owner.get(customer_id)
        if agent_id is None:
            agent_id = _least_loaded(heap, load)
            owner[customer_id] = agent_id
        load[agent_id] += len(tasks)
        heapq.heappush(heap, (load[agent_id], agent_id))
        changes.append((agent_id, tasks))
        result.assigned += len(tasks)
    _write(session, changes, now)
    if rebalance:
        # Read back what was just assigned, so a customer moves with all their calls.
        moves: list[tuple[int, list[int]]] = []
        result.moved = _rebalance(session, store_id, load, moves)
        _write(session, moves, now)
    return result  # the caller commits, with its audit row if it keeps one


class NewCalls:
    """Agents for the calls a planning run is about to insert, chosen as `assign` would
    choose them afterwards, so that each call is written once, with its agent.

    Calls already waiting for an agent are handed out first (their ids are lower, and
    `assign` goes in id order); then each batch's customers in the order of their first
    call: the agent who has their open calls, else who called them last, else the least
    loaded. A customer's calls in one batch weigh on the load together, as in `assign`;
    a customer whose calls fall in two batches (runs of more than 5,000 contacts) weighs
    batch by batch.
    """

    def __init__(self, session: Session, store_id: int, now: datetime):
        self.session, self.store_id, self.now = session, store_id, now
        self.assigned = 0  # calls given an agent: the older ones, then the new ones kept
        self.load: dict[int, int] | None = None  # None until the first batch

    def _start(self) -> None:
        session, store_id = self.session, self.store_id
        self.assigned += assign(session, store_id, self.now).assigned
        active = list(
            session.exec(select(Agent.id).where(Agent.store_id == store_id, Agent.active)).all()
        )
        self.active = set(active)
        self.load, self.owner = _loads(session, store_id, active) if active else ({}, {})
        self.heap = [(count, agent_id) for agent_id, count in self.load.items()]
        heapq.heapify(self.heap)

    def give(self, rows: list[dict]) -> None:
        """Set each new call's `agent_id` (None while the store has no active agent)."""
        for row in rows:
            row["agent_id"] = None
        if not rows:
            return
        if self.load is None:
            self._start()
        if not self.load:
            return  # no active agent: `assign` hands them out once there is one
        by_customer: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            by_customer[row["customer_id"]].append(row)
        unknown = [c for c in by_customer if c not in self.owner]
        _last_caller(self.session, unknown, self.active, self.owner)
        for customer_id, calls in by_customer.items():
            agent_id = self.owner.get(customer_id)
            if agent_id is None:
                agent_id = _least_loaded(self.heap, self.load)
                self.owner[customer_id] = agent_id
            self.load[agent_id] += len(calls)
            heapq.heappush(self.heap, (self.load[agent_id], agent_id))
            for row in calls:
                row["agent_id"] = agent_id

    def kept(self, given: list[dict], inserted: list[int | None]) -> None:
        """After the insert: count the calls kept (their agents, as RETURNING gave them);
        a call that existed already (its key taken) no longer weighs on its agent."""
        self.assigned += sum(agent_id is not None for agent_id in inserted)
        if not self.load:
            return
        dropped = Counter(row["agent_id"] for row in given)
        dropped.subtract(inserted)
        for agent_id, count in dropped.items():
            if agent_id is not None and count > 0:
                self.load[agent_id] -= count
                heapq.heappush(self.heap, (self.load[agent_id], agent_id))


def _loads(session: Session, store_id: int, active: list[int]) -> tuple[dict, dict]:
    """Each active agent's open calls, and each customer's agent (who has their calls)."""
    load = dict.fromkeys(active, 0)
    owner: dict[int, int] = {}  # customer -> the active agent who has their open calls
    for agent_id, customer_id, count in read(
        session,
        select(FollowupTask.agent_id, FollowupTask.customer_id, func.count())
        .where(*_open_calls(store_id), FollowupTask.agent_id.in_(active))
        .group_by(FollowupTask.agent_id, FollowupTask.customer_id),
    ):
        load[agent_id] += count
        owner.setdefault(customer_id, agent_id)
    return load, owner


def _orphans(session: Session, store_id: int, active: list[int]) -> dict[int, list[int]]:
    """The store's open calls without an active agent, by customer, oldest first.

    Read through the index on (agent, status): the calls nobody has, then those of the
    store's inactive agents. `store_id + 0` keeps SQLite off the (store, status) index,
    which would walk every open call of the store to find the few without an agent.
    """
    inactive = list(
        session.exec(select(Agent.id).where(Agent.store_id == store_id, ~Agent.active)).all()
    )
    found = []
    whose_calls = [FollowupTask.agent_id.is_(None)]
    if inactive:  # most stores have none: no query for them
        whose_calls.append(FollowupTask.agent_id.in_(inactive))
    for whose in whose_calls:
        found += read(
            session,
            select(FollowupTask.id, FollowupTask.customer_id, FollowupTask.store_id).where(
                whose,
                FollowupTask.status == TaskStatus.OPEN,
                FollowupTask.channel == Channel.PHONE,
                FollowupTask.store_id + 0 == store_id,
            ),
        ).all()
    orphans: dict[int, list[int]] = defaultdict(list)  # customer -> tasks without an agent
    for task_id, customer_id, _store in sorted(found, key=itemgetter(0)):  # ids are unique
        orphans[customer_id].append(task_id)
    return orphans


def _least_loaded(heap: list, load: dict[int, int]) -> int:
    while True:
        count, agent_id = heapq.heappop(heap)
        if load[agent_id] == count:  # skip stale entries
            return agent_id


def _last_caller(session: Session, customers: list[int], active: set[int], owner: dict) -> None:
    """Keep customers with the active agent who called them last."""
    for start in range(0, len(customers), CHUNK):
        chunk = customers[start : start + CHUNK]
        latest = (
            select(ContactAttempt.customer_id, func.max(ContactAttempt.id).label("id"))
            .where(
                one_of(session, ContactAttempt.customer_id, chunk),
                ContactAttempt.agent_id.is_not(None),
            )
            .group_by(ContactAttempt.customer_id)
            .subquery()
        )
        for customer_id, agent_id in read(
            session,
            select(ContactAttempt.customer_id, ContactAttempt.agent_id).join(
                latest, ContactAttempt.id == latest.c.id
            ),
        ):
            if agent_id in active:
                owner[customer_id] = agent_id


def _rebalance(session, store_id, load, moves) -> int:
    """Move whole customers from the busiest agents until no one is above the fair share."""
    per_customer: dict[int, list[int]] = defaultdict(list)
    current: dict[int, int] = {}
    for task_id, customer_id, agent_id in session.execute(
        select(FollowupTask.id, FollowupTask.customer_id, FollowupTask.agent_id)
        .where(*_open_calls(store_id), FollowupTask.agent_id.in_(list(load)))
        .order_by(FollowupTask.id)
    ):
        per_customer[customer_id].append(task_id)
        current.setdefault(customer_id, agent_id)
    target = -(-sum(load.values()) // len(load))  # ceil: the fair share
    by_agent: dict[int, list[int]] = defaultdict(list)
    for customer_id, agent_id in current.items():
        by_agent[agent_id].append(customer_id)
    moved = 0
    for agent_id in sorted(load, key=lambda a: -load[a]):
        for customer_id in sorted(by_agent[agent_id], key=lambda c: -len(per_customer[c])):
            if load[agent_id] <= target:
                break
            tasks = per_customer[customer_id]
            lightest = min(load, key=lambda a: (load[a], a))
            if lightest == agent_id or load[lightest] + len(tasks) > target:
                continue
            load[agent_id] -= len(tasks)
            load[lightest] += len(tasks)
            moves.append((lightest, tasks))
            moved += len(tasks)
    return moved


def _write(session: Session, changes: list[tuple[int, list[int]]], now: datetime) -> None:
    by_agent: dict[int, list[int]] = defaultdict(list)
    for agent_id, tasks in changes:
        by_agent[agent_id].extend(tasks)
    calls = FollowupTask.__table__  # a table's UPDATE: no ORM look-up of every row moved
    for agent_id, tasks in by_agent.items():
        for start in range(0, len(tasks), CHUNK):
            session.execute(
                update(calls)
                .where(one_of(session, calls.c.id, tasks[start : start + CHUNK]))
                .values(agent_id=agent_id, updated_at=now)
            )


def assign_one(session: Session, task: FollowupTask, *, prefer: int | None = None) -> None:
    """Give a new call an agent: `prefer` if active, else the customer's, else the least loaded."""
    active = set(
        session.exec(select(Agent.id).where(Agent.store_id == task.store_id, Agent.active)).all()
    )
    if not active:
        return
    agent_id = prefer if prefer in active else None
    if agent_id is None:
        agent_id = session.exec(
            select(FollowupTask.agent_id).where(
                *_open_calls(task.store_id),
                FollowupTask.customer_id == task.customer_id,
                FollowupTask.agent_id.in_(active),
            )
        ).first()
    if agent_id is None:
        owner: dict[int, int] = {}
        _last_caller(session, [task.customer_id], active, owner)
        agent_id = owner.get(task.customer_id)
    if agent_id is None:
        load = dict.fromkeys(active, 0)
        load.update(
            session.execute(
                select(FollowupTask.agent_id, func.count())
                .where(*_open_calls(task.store_id), FollowupTask.agent_id.in_(active))
                .group_by(FollowupTask.agent_id)
            ).all()
        )
        agent_id = min(load, key=lambda a: (load[a], a))
    task.agent_id = agent_id
    session.add(task)
    session.flush()

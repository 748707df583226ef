"""Agents and assignment: calls spread by load, a customer kept with one agent."""

import json
from collections import Counter
from datetime import date, timedelta

from sqlmodel import select

from crm.models import ContactAttempt, FollowupTask
from tests.factories import (
    NOW,
    TODAY,
    add_agent,
    add_customer,
    add_task,
    add_vehicle,
    add_visit,
    task_updates,
)


def agents_of(session) -> dict[int, int]:
    session.expire_all()
    return {t.id: t.agent_id for t in session.exec(select(FollowupTask))}


def test_agents_are_added_listed_and_deactivated(crm):
    assert crm("agents", "add", "a01", "--name", "李娜").exit_code == 0
    assert crm("agents", "add", "a02", "--name", "王芳").exit_code == 0
    duplicate = crm("agents", "add", "a01", "--name", "张三")
    assert crm("agents", "deactivate", "a02").exit_code == 0
    unknown = crm("agents", "deactivate", "zz")

    agents = json.loads(crm("agents", "list", "--format", "json").output)
    assert [(a["code"], a["name"], a["active"]) for a in agents] == [
        ("a01", "李娜", True),
        ("a02", "王芳", False),
    ]
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    assert unknown.exit_code == 2 and "no agent zz" in unknown.output


def test_new_calls_are_spread_by_load_and_a_customer_stays_with_one_agent(crm, session):
    a1, a2, a3 = (add_agent(session, code) for code in ("a01", "a02", "a03"))
    add_agent(session, "a04", active=False)
    busy = add_customer(session, name="王伟")
    for _ in range(3):
        add_task(session, busy, "care_call", TODAY, TODAY)
    others = [add_customer(session, name=f"客户{n}") for n in range(6)]
    for person in others:
        add_task(session, person, "care_call", TODAY, TODAY)

    result = crm("calls", "assign", "--format", "json")

    assert json.loads(result.output) == {"assigned": 9, "moved": 0, "agents": 3}
    assigned = agents_of(session)
    assert sorted(Counter(assigned.values()).values()) == [3, 3, 3]  # by load
    tasks = session.exec(select(FollowupTask).where(FollowupTask.customer_id == busy.id)).all()
    assert len({t.agent_id for t in tasks}) == 1  # one customer, one agent
    assert set(assigned.values()) == {a1.id, a2.id, a3.id}  # never the inactive one


def test_a_customer_goes_back_to_the_agent_who_called_them_last(crm, session):
    add_agent(session, "a01")
    a2 = add_agent(session, "a02")
    known = add_customer(session, name="王伟")
    old = add_task(session, known, "sales_callback", TODAY, TODAY, status="done")
    session.add(
        ContactAttempt(task_id=old.id, customer_id=known.id, agent_id=a2.id, outcome="reached")
    )
    session.commit()
    for n in range(3):  # a02 is the busier one
        add_task(
            session,
            add_customer(session, name=f"客户{n}"),
            "care_call",
            TODAY,
            TODAY,
            agent_id=a2.id,
        )
    new = add_task(session, known, "care_call", TODAY, TODAY)

    assert crm("calls", "assign").exit_code == 0

    assert agents_of(session)[new.id] == a2.id  # not a01, though a01 has less work


def test_an_absent_agents_calls_move_and_rebalance_evens_the_load(crm, session):
    a1 = add_agent(session, "a01")
    a2 = add_agent(session, "a02")
    people = [add_customer(session, name=f"客户{n}") for n in range(6)]
    for person in people:
        add_task(session, person, "care_call", TODAY, TODAY, agent_id=a1.id)

    assert crm("agents", "deactivate", "a01").exit_code == 0
    moved = crm("calls", "assign", "--format", "json")
    assert json.loads(moved.output)["assigned"] == 6
    assert set(agents_of(session).values()) == {a2.id}

    assert crm("agents", "activate", "a01").exit_code == 0
    plain = json.loads(crm("calls", "assign", "--format", "json").output)
    balanced = json.loads(crm("calls", "assign", "--rebalance", "--format", "json").output)

    assert plain == {"assigned": 0, "moved": 0, "agents": 2}
    assert balanced["moved"] == 3
    assert sorted(Counter(agents_of(session).values()).values()) == [3, 3]


def test_planning_assigns_the_calls_it_creates_each_in_its_one_write(crm, session):
    """The planner inserts each new call with its agent, where it used to insert it
    without one and then update it."""
    add_agent(session, "a01")
    add_agent(session, "a02")
    for n in range(4):
        person = add_customer(session, name=f"客户{n}")
        car = add_vehicle(session, person, date(2025, 1, 1))
        add_visit(session, car, TODAY - timedelta(days=1), 9000 + n)
    with task_updates() as updates:
        plan = json.loads(crm("plan", "--format", "json").output)

    assert plan["stores"][0]["assigned"] == 4
    assert sorted(Counter(agents_of(session).values()).values()) == [2, 2]
    assert [u for u in updates if "agent_id" in u] == []
    load = json.loads(crm("agents", "list", "--format", "json").output)
    assert [a["open_calls"] for a in load] == [2, 2]


def test_an_absent_agents_calls_are_handed_out_with_the_new_ones(crm, session):
    """Calls an inactive agent left open are handed out before the day's new calls, and a
    customer's old and new calls land with the same agent."""
    a1 = add_agent(session, "a01")
    add_agent(session, "a02")
    add_agent(session, "a03")
    person = add_customer(session, name="老客户")
    car = add_vehicle(session, person, date(2025, 1, 1))
    old = add_task(session, person, "care_call", TODAY, TODAY, agent_id=a1.id)
    add_visit(session, car, TODAY - timedelta(days=1), 9200)
    for n in range(3):
        other = add_customer(session, name=f"客户{n}")
        add_visit(
            session,
            add_vehicle(session, other, date(2025, 1, 1)),
            TODAY - timedelta(days=1),
            9300 + n,
        )
    assert crm("agents", "deactivate", "a01").exit_code == 0

    plan = json.loads(crm("plan", "--format", "json").output)

    assigned = agents_of(session)
    assert plan["stores"][0]["assigned"] == 5  # the old call and four new ones
    mine = {
        t.id
        for t in session.exec(select(FollowupTask).where(FollowupTask.customer_id == person.id))
    }
    assert len(mine) == 2 and len({assigned[t] for t in mine}) == 1
    assert assigned[old.id] != a1.id and a1.id not in assigned.values()


def test_the_manager_sees_whose_calls_are_overdue(crm, session):
    a1 = add_agent(session, "a01")
    a2 = add_agent(session, "a02")
    person = add_customer(session)
    add_task(
        session,
        person,
        "care_call",
        TODAY - timedelta(days=9),
        TODAY - timedelta(days=2),
        agent_id=a1.id,
    )
    add_task(session, person, "care_call", TODAY, TODAY, agent_id=a1.id)
    add_task(session, add_customer(session), "care_call", TODAY, TODAY, agent_id=a2.id)

    agents = json.loads(crm("agents", "list", "--format", "json").output)

    assert [(a["code"], a["open_calls"], a["overdue_calls"]) for a in agents] == [
        ("a01", 2, 1),
        ("a02", 1, 0),
    ]


def test_assign_without_agents_says_what_to_do(crm, session):
    add_task(session, add_customer(session), "care_call", TODAY, TODAY)

    result = crm("calls", "assign")

    assert result.exit_code == 1
    assert "crm agents add" in result.output


def test_rebalancing_moves_a_customer_with_all_their_calls(crm, session):
    a1, a2, a3 = (add_agent(session, code) for code in ("a01", "a02", "a03"))
    busy = add_customer(session, name="王伟")
    for _ in range(3):
        add_task(session, busy, "care_call", TODAY, TODAY, agent_id=a1.id)
    add_task(session, busy, "complaint_followup", TODAY, TODAY, agent_id=a3.id)
    for n in range(6):
        add_task(
            session,
            add_customer(session, name=f"客户{n}"),
            "care_call",
            TODAY,
            TODAY,
            agent_id=a1.id,
        )

    assert crm("agents", "deactivate", "a03").exit_code == 0
    assert crm("calls", "assign", "--rebalance").exit_code == 0

    assigned = agents_of(session)
    tasks = session.exec(select(FollowupTask).where(FollowupTask.customer_id == busy.id)).all()
    assert len({assigned[t.id] for t in tasks}) == 1
    assert a3.id not in assigned.values()
    assert max(Counter(assigned.values()).values()) <= 5  # 10 calls, 2 agents, whole customers
    assert a2.id in assigned.values()


def test_the_manager_sees_each_agents_day_done_against_remaining(crm, session):
    a1 = add_agent(session, "a01")
    a2 = add_agent(session, "a02")
    calls = [
        add_task(session, add_customer(session, name=f"客户{n}"), "care_call", TODAY, TODAY)
        for n in range(4)
    ]
    for task, agent in zip(calls, (a1, a1, a1, a2), strict=True):
        task.agent_id = agent.id
        session.add(task)
    later = add_task(session, add_customer(session), "care_call", TODAY, TODAY + timedelta(5))
    later.agent_id = a1.id
    session.add(later)
    session.commit()
    # a01 made two calls this morning (one left the customer to call again) and one yesterday.
    assert crm("calls", "log", calls[0].id, "--outcome", "reached").exit_code == 0
    assert crm("calls", "log", calls[1].id, "--outcome", "no_answer").exit_code == 0
    yesterday = crm("calls", "log", calls[2].id, "--outcome", "no_answer", at=NOW - timedelta(1))
    assert yesterday.exit_code == 0

    agents = json.loads(crm("agents", "list", "--format", "json").output)
    table = crm("agents", "list").output

    assert [(a["code"], a["done_today"], a["remaining_today"]) for a in agents] == [
        # Left on today's list: the call unanswered yesterday and the one due in 5 days
        # (today's unanswered call is tried again tomorrow).
        ("a01", 2, 2),
        ("a02", 0, 1),
    ]
    assert "done today" in table and "remaining today" in table

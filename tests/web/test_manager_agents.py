"""Agents and assignment: a manager hands an absent agent's calls over and rebalances,
through the same core actions as the CLI, each change in the audit trail."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import Agent, AuditEvent, FollowupTask, Store
from tests.factories import TODAY, add_agent, add_customer, add_task, add_user
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import BASE, console_of, signed_in, token_of


@pytest.fixture
def client(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def load(session) -> dict[str, int]:
    """Open calls per agent code of store demo."""
    session.expire_all()
    counts: dict[str, int] = {}
    for task, agent in session.exec(
        select(FollowupTask, Agent)
        .join(Agent, Agent.id == FollowupTask.agent_id)
        .where(FollowupTask.store_id == 1)
    ):
        if task.status == "open":
            counts[agent.code] = counts.get(agent.code, 0) + 1
    return counts


def audit(session) -> list[tuple[str, str, str]]:
    session.expire_all()
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [(row.actor, row.action, row.subject) for row in rows]


def test_a_manager_hands_an_absent_agents_calls_over_and_rebalances(
    console, open_page, desk, session, database_url
):
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="坐席").click()
    a01 = page.locator("#agents tr[data-agent=a01]")
    expect(a01.locator("[data-col=open]")).to_have_text(str(len(desk.calls)))
    expect(a01.locator("[data-col=overdue]")).to_have_text(str(len(desk.calls) - 1))
    expect(a01.locator("[data-col=done-today]")).to_have_text("0")
    expect(a01.locator("[data-col=remaining-today]")).to_have_text(str(len(desk.calls)))
    screenshot(page, "m2-agents", database_url)

    # By keyboard: the button is a real one, named for what it does and to whom.
    page.get_by_role("button", name="停用并移交回访 李晓梅").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("a01")
    expect(page.locator("#flash")).to_contain_text(f"已分配 {len(desk.calls)} 个回访")
    expect(a01.locator("[data-col=state]")).to_have_text("已停用")
    assert load(session) == {"a02": len(desk.calls)}

    page.get_by_role("button", name="启用 李晓梅").click()
    expect(a01.locator("[data-col=state]")).to_have_text("在岗")
    page.get_by_role("button", name="均衡分配").click()
    expect(page.locator("#flash")).to_contain_text(f"移动 {len(desk.calls) // 2} 个")
    assert load(session) == {"a01": len(desk.calls) // 2, "a02": len(desk.calls) // 2}
    assert audit(session) == [
        ("m01", "agent_active", "a01 李晓梅"),
        ("m01", "reassign", "assign"),
        ("m01", "agent_active", "a01 李晓梅"),
        ("m01", "reassign", "rebalance"),
    ]


def test_handing_over_with_no_agent_left_says_so_beside_the_buttons(client, session):
    signed_in(client, "m01")
    token = token_of(client, "/agents")
    for code in ("a02", "a01"):
        answer = client.post(
            f"/agents/{code}/deactivate",
            data={"csrf_token": token, "handover": "1"},
            headers={"Origin": BASE},
        )
    assert answer.status_code == 422
    assert 'id="assign-error"' in answer.text
    assert "没有在岗坐席，回访无法分配" in answer.text


def test_an_agent_is_refused_the_agents_page_and_its_buttons(client, session):
    signed_in(client, "a01")
    token = token_of(client, "/day")
    assert client.get("/agents").status_code == 403
    answer = client.post(
        "/agents/a02/deactivate", data={"csrf_token": token}, headers={"Origin": BASE}
    )
    assert answer.status_code == 403
    assert session.exec(select(Agent).where(Agent.code == "a02")).one().active


def test_another_stores_manager_cannot_touch_this_stores_agents(client, session, password_hash):
    north = session.exec(select(Store).where(Store.code == "north")).one()
    add_user(session, "n01", "manager", password_hash, store_id=north.id, name="北区经理")
    signed_in(client, "n01")
    token = token_of(client, "/agents")
    listed = client.get("/agents?store=demo")  # a manager's store is their own, whatever asked
    assert "b01" in listed.text and "a01" not in listed.text
    for path in ("/agents/a01/deactivate", "/agents/a02/deactivate?store=demo"):
        answer = client.post(path, data={"csrf_token": token}, headers={"Origin": BASE})
        assert answer.status_code == 404, path
    session.expire_all()
    assert all(agent.active for agent in session.exec(select(Agent)))
    assert audit(session) == []


def test_the_cli_writes_the_same_audit_rows(crm, session):
    add_agent(session, "a01")
    add_agent(session, "a02")
    for n in range(4):
        add_task(session, add_customer(session, name=f"客户{n}"), "care_call", TODAY, TODAY)

    assert crm("calls", "assign").exit_code == 0
    assert crm("agents", "deactivate", "a02").exit_code == 0
    assert crm("agents", "deactivate", "a02").exit_code == 0  # no change: no row
    assert crm("calls", "assign").exit_code == 0
    assert crm("calls", "assign").exit_code == 0  # nothing to move: no row

    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(row.action, row.subject) for row in rows] == [
        ("reassign", "assign"),
        ("agent_active", "a02 李娜"),
        ("reassign", "assign"),
    ]
    assert all(row.actor.startswith("cli:") for row in rows)
    assert rows[1].detail == {"agent": "a02", "active": False}
    assert rows[2].detail["assigned"] == 2

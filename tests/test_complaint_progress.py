"""A complaint's progress: notes, a new department or owner, and the timeline that shows it all."""

import getpass
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from crm.models import Agent, FollowupTask
from tests.factories import NOW, add_agent, add_customer


@pytest.fixture(autouse=True)
def os_user(monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "wang")


@pytest.fixture
def complaint(crm, session) -> int:
    add_agent(session, "a01", "李晓梅")
    add_agent(session, "a02", "张雨婷")
    add_customer(session, name="王伟", phone="+8613800138000")
    added = crm(
        "complaints",
        "add",
        "--customer",
        "13800138000",
        "--category",
        "vehicle_quality",
        "--text",
        "新车异响",
        "--format",
        "json",
    )
    assert added.exit_code == 0, added.output
    return json.loads(added.output)["complaint_id"]


def shown(crm, complaint_id: int, at=NOW) -> dict:
    result = crm("complaints", "show", complaint_id, "--format", "json", at=at)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_new_owner_takes_the_complaints_open_calls(crm, session, complaint):
    result = crm("complaints", "route", complaint, "--agent", "a02")

    assert result.exit_code == 0, result.output
    assert "agent a01 -> a02" in result.output
    session.expire_all()
    owners = session.exec(
        select(Agent.code)
        .join(FollowupTask, FollowupTask.agent_id == Agent.id)
        .where(FollowupTask.subject == f"complaint:{complaint}")
    ).all()
    assert owners == ["a02"]
    assert shown(crm, complaint)["owner"] == {"code": "a02", "name": "张雨婷"}


def test_an_inactive_agent_cannot_take_a_complaint(crm, complaint):
    assert crm("agents", "deactivate", "a02").exit_code == 0

    result = crm("complaints", "route", complaint, "--agent", "a02")

    assert result.exit_code == 2
    assert "agent a02 is inactive; choose an active agent (--agent CODE)" in result.output


def test_routing_to_where_it_already_is_changes_nothing(crm, complaint):
    result = crm("complaints", "route", complaint, "--department", "after_sales")

    assert result.exit_code == 2 and "nothing changed" in result.output


def test_a_confirmed_complaint_is_not_routed_again(crm, session, complaint):
    from crm.models import Complaint

    row = session.get(Complaint, complaint)
    row.status = "closed"
    session.add(row)
    session.commit()

    result = crm("complaints", "route", complaint, "--department", "sales")

    assert result.exit_code == 2 and "is closed" in result.output


def test_a_note_must_say_something_and_not_too_much(crm, complaint):
    empty = crm("complaints", "note", complaint, "--note", " ")
    long = crm("complaints", "note", complaint, "--note", "长" * 2001)

    assert empty.exit_code == 2 and "write the note" in empty.output
    assert long.exit_code == 2 and "at most 2000 characters" in long.output
    assert [step["event"] for step in shown(crm, complaint)["timeline"]] == [
        "received",
        "routed",
    ]


def test_the_timeline_tells_the_complaint_from_receipt_to_confirmation(crm, complaint):
    later = NOW + timedelta(hours=2)
    crm("complaints", "note", complaint, "--note", "已联系厂家技术支持", at=later)
    crm("complaints", "route", complaint, "--department", "parts", at=later + timedelta(hours=1))
    follow_up = shown(crm, complaint)["calls"][0]["task_id"]
    reached = crm(
        "calls",
        "log",
        follow_up,
        "--outcome",
        "reached",
        "--note",
        "客户同意周五到店",
        at=later + timedelta(hours=3),
    )
    assert reached.exit_code == 0, reached.output
    crm(
        "complaints", "resolve", complaint, "--resolution", "更换减震器", at=NOW + timedelta(days=2)
    )
    confirm = [c for c in shown(crm, complaint)["calls"] if c["kind"] == "complaint_confirmation"]
    crm(
        "calls",
        "log",
        confirm[0]["task_id"],
        "--outcome",
        "reached",
        "--solved",
        at=NOW + timedelta(days=3),
    )

    steps = shown(crm, complaint, at=NOW + timedelta(days=3))["timeline"]

    assert [(step["at"], step["event"], step["by"], step["text"]) for step in steps] == [
        ("2026-03-10 10:00", "received", None, "新车异响"),
        ("2026-03-10 10:00", "routed", None, "after_sales"),
        ("2026-03-10 12:00", "note", "cli:wang", "已联系厂家技术支持"),
        ("2026-03-10 13:00", "routed", "cli:wang", "parts"),
        ("2026-03-10 15:00", "progress_call", "a01", "客户同意周五到店"),
        ("2026-03-12 10:00", "resolved", "cli:wang", "更换减震器"),
        ("2026-03-13 10:00", "confirmation_call", "a01", None),
        ("2026-03-13 10:00", "confirmed", None, None),
    ]


def test_a_customer_who_is_not_satisfied_reopens_it_on_the_timeline(crm, complaint):
    crm("complaints", "resolve", complaint, "--resolution", "已调整")
    confirm = [c for c in shown(crm, complaint)["calls"] if c["kind"] == "complaint_confirmation"]
    result = crm("calls", "log", confirm[0]["task_id"], "--outcome", "reached", "--not-solved")
    assert result.exit_code == 0, result.output

    events = [step["event"] for step in shown(crm, complaint)["timeline"]]

    assert events[-3:] == ["resolved", "confirmation_call", "reopened"]

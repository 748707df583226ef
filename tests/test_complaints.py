"""Complaints followed to the end: deadlines, progress calls, resolution, confirmation."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm.models import Complaint, FollowupTask
from tests.factories import NOW, TODAY, add_agent, add_customer, add_task, add_vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(days: float = 0, hours: float = 0) -> datetime:
    return NOW + timedelta(days=days, hours=hours)


def calls_on(crm, when: datetime, kind: str) -> list[dict]:
    day = when.astimezone(SHANGHAI).date().isoformat()
    result = crm("calls", "list", "--date", day, "--format", "json", at=when)
    return [row for row in json.loads(result.output) if row["kind"] == kind]


def overdue(crm, when: datetime) -> list[dict]:
    result = crm("complaints", "list", "--overdue", "--format", "json", at=when)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_complaint_from_creation_through_overdue_follow_ups_resolution_and_confirmation(
    crm, session
):
    add_agent(session, "a01")
    customer = add_customer(session, name="王伟", phone="+8613800138000")

    added = crm(
        "complaints",
        "add",
        "--customer",
        "13800138000",
        "--category",
        "waiting_time",
        "--text",
        "保养等了三个小时",
        "--format",
        "json",
    )
    complaint = json.loads(added.output)
    cid = complaint["complaint_id"]
    assert (complaint["department"], complaint["status"]) == ("after_sales", "open")
    assert complaint["respond_by"] == "2026-03-11T10:00+08:00"  # 24 hours
    assert complaint["resolve_by"] == "2026-03-17T10:00+08:00"  # 7 days
    (first,) = calls_on(crm, NOW, "complaint_followup")
    assert first["due_date"] == "2026-03-11" and "保养等了三个小时" in first["talking_points"]
    assert first["agent"] == "a01"

    # Nobody called back within 24 hours: overdue for its response.
    assert overdue(crm, at(hours=23)) == []
    (late,) = overdue(crm, at(hours=25))
    assert late["overdue_reason"] == "no response"

    reached = crm(
        "calls",
        "log",
        first["task_id"],
        "--outcome",
        "reached",
        "--note",
        "已转售后经理处理",
        at=at(hours=26),
    )
    assert reached.exit_code == 0, reached.output
    assert overdue(crm, at(hours=27)) == []
    session.expire_all()
    assert session.get(Complaint, cid).first_response_at == at(hours=26)

    # The next progress call comes due three days after the last one.
    assert calls_on(crm, at(days=3), "complaint_followup") == []
    assert crm("plan", at=at(days=4)).exit_code == 0
    (second,) = calls_on(crm, at(days=4), "complaint_followup")
    assert second["window_start"] == "2026-03-14"

    # A week on and still open: overdue for its resolution.
    (late,) = overdue(crm, at(days=8))
    assert late["overdue_reason"] == "not resolved"

    resolved = crm("complaints", "resolve", cid, "--resolution", "退还工时费并致歉", at=at(days=9))
    assert resolved.exit_code == 0, resolved.output
    assert "--solved" in resolved.output and "--not-solved" in resolved.output  # what next
    assert overdue(crm, at(days=9)) == []
    assert calls_on(crm, at(days=9), "complaint_followup") == []  # progress calls stop
    (confirm,) = calls_on(crm, at(days=9), "complaint_confirmation")
    assert "退还工时费并致歉" in confirm["talking_points"]

    # The customer says it is not solved: open again, progress calls again.
    unsure = crm("calls", "log", confirm["task_id"], "--outcome", "reached")
    assert unsure.exit_code == 2 and "--solved" in unsure.output
    no = crm(
        "calls", "log", confirm["task_id"], "--outcome", "reached", "--not-solved", at=at(days=10)
    )
    assert no.exit_code == 0, no.output
    reopened = json.loads(crm("complaints", "show", cid, "--format", "json", at=at(days=10)).output)
    assert (reopened["status"], reopened["reopened"], reopened["resolved_at"]) == ("open", 1, None)
    assert len(calls_on(crm, at(days=10), "complaint_followup")) == 1

    assert (
        crm("complaints", "resolve", cid, "--resolution", "更换座椅", at=at(days=11)).exit_code == 0
    )
    (confirm,) = calls_on(crm, at(days=11), "complaint_confirmation")
    yes = crm(
        "calls",
        "log",
        confirm["task_id"],
        "--outcome",
        "reached",
        "--solved",
        "--satisfaction",
        "4",
        at=at(days=11, hours=2),
    )
    assert yes.exit_code == 0, yes.output

    final = json.loads(crm("complaints", "show", cid, "--format", "json", at=at(days=12)).output)
    assert final["status"] == "closed"
    assert final["confirmed_at"] == "2026-03-21T12:00+08:00"
    assert [a["outcome"] for a in final["attempts"]] == ["reached", "reached", "reached"]
    assert json.loads(crm("complaints", "list", "--format", "json", at=at(days=12)).output) == []
    everything = crm("complaints", "list", "--status", "resolved", "--format", "json")
    assert [c["complaint_id"] for c in json.loads(everything.output)] == [cid]
    assert customer.id == final["customer_id"]


def test_a_complaint_made_on_a_call_is_routed_by_the_configured_map(crm, session, tmp_path):
    agent = add_agent(session, "a02")
    customer = add_customer(session, name="李娜")
    car = add_vehicle(session, customer, date(2025, 5, 1))
    task = add_task(
        session, customer, "service_callback", TODAY, TODAY, vehicle_id=car.id, agent_id=agent.id
    )
    config = tmp_path / "routes.toml"
    config.write_text('[complaints.departments]\nprice = "finance"\n', encoding="utf-8")

    result = crm(
        "--config",
        config,
        "calls",
        "log",
        task.id,
        "--outcome",
        "reached",
        "--satisfaction",
        "2",
        "--complaint",
        "price",
        "--complaint-text",
        "工时费太贵",
        "--format",
        "json",
    )

    assert result.exit_code == 0, result.output
    (complaint,) = session.exec(select(Complaint)).all()
    assert json.loads(result.output)["complaint_id"] == complaint.id
    assert (complaint.category, complaint.department) == ("price", "finance")
    assert (complaint.vehicle_id, complaint.agent_id) == (car.id, agent.id)
    assert complaint.attempt_id is not None
    follow_up = session.exec(
        select(FollowupTask).where(FollowupTask.kind == "complaint_followup")
    ).one()
    assert follow_up.agent_id == agent.id  # the agent who heard it follows it up


def test_complaint_mistakes_get_one_line_and_change_nothing(crm, session, tmp_path):
    add_customer(session, name="李娜", phone="+8613900139000")
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text('[complaints.departments]\nnoise = "x"\n', encoding="utf-8")

    cases = [
        (
            (
                "complaints",
                "add",
                "--customer",
                "13900139000",
                "--category",
                "noise",
                "--text",
                "吵",
            ),
            "unknown complaint category 'noise'",
        ),
        (
            (
                "complaints",
                "add",
                "--customer",
                "13700000000",
                "--category",
                "price",
                "--text",
                "贵",
            ),
            "no customer",
        ),
        (("complaints", "resolve", 42, "--resolution", "x"), "no complaint 42"),
        (("--config", bad_config, "complaints", "list"), "complaints.departments"),
    ]
    for args, message in cases:
        result = crm(*args)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1 and message in result.output
    assert session.exec(select(Complaint)).all() == []


def test_only_an_open_complaint_can_be_resolved(crm, session):
    add_customer(session, name="李娜", phone="+8613900139000")
    added = crm(
        "complaints",
        "add",
        "--customer",
        "13900139000",
        "--category",
        "parts",
        "--text",
        "配件缺货",
        "--format",
        "json",
    )
    cid = json.loads(added.output)["complaint_id"]

    assert crm("complaints", "resolve", cid, "--resolution", "已到货").exit_code == 0
    again = crm("complaints", "resolve", cid, "--resolution", "再次")

    assert again.exit_code == 2 and "not open" in again.output


def test_a_confirmation_nobody_answers_leaves_the_complaint_resolved_unconfirmed(crm, session):
    add_agent(session, "a01")
    add_customer(session, name="李娜", phone="+8613900139000")
    added = crm(
        "complaints",
        "add",
        "--customer",
        "13900139000",
        "--category",
        "parts",
        "--text",
        "配件缺货",
        "--format",
        "json",
    )
    cid = json.loads(added.output)["complaint_id"]
    assert crm("complaints", "resolve", cid, "--resolution", "已到货").exit_code == 0
    (confirm,) = calls_on(crm, NOW, "complaint_confirmation")

    for day in range(3):
        result = crm("calls", "log", confirm["task_id"], "--outcome", "no_answer", at=at(days=day))
        assert result.exit_code == 0, result.output
    declined = crm("calls", "log", confirm["task_id"], "--outcome", "declined", at=at(days=3))

    shown = json.loads(crm("complaints", "show", cid, "--format", "json").output)
    assert "unconfirmed" in result.output
    assert (shown["status"], shown["confirmation"]) == ("resolved", "unconfirmed")
    assert declined.exit_code == 2  # the task is closed already


def test_a_complaint_call_cannot_be_declined(crm, session):
    add_agent(session, "a01")
    add_customer(session, name="李娜", phone="+8613900139000")
    crm("complaints", "add", "--customer", "13900139000", "--category", "parts", "--text", "缺货")
    (follow_up,) = calls_on(crm, NOW, "complaint_followup")

    result = crm("calls", "log", follow_up["task_id"], "--outcome", "declined")

    assert result.exit_code == 2 and "cannot be declined" in result.output


def test_a_number_that_could_be_an_id_or_a_code_must_be_said_which(crm, session):
    first = add_customer(session, name="甲", customer_code="X1")
    second = add_customer(session, name="乙", customer_code=str(first.id))

    ambiguous = crm(
        "complaints", "add", "--customer", str(first.id), "--category", "price", "--text", "贵"
    )
    by_code = crm(
        "complaints",
        "add",
        "--customer",
        f"code:{first.id}",
        "--category",
        "price",
        "--text",
        "贵",
        "--format",
        "json",
    )
    huge = crm(
        "complaints", "add", "--customer", "9999999999", "--category", "price", "--text", "贵"
    )

    assert ambiguous.exit_code == 2 and f"id:{first.id}" in ambiguous.output
    assert json.loads(by_code.output)["customer_id"] == second.id
    assert huge.exit_code == 2 and "no customer" in huge.output


def test_two_resolutions_at_once_one_wins_and_the_other_is_told(engine, session):
    from sqlmodel import Session

    from crm.calls.complaints import resolve
    from crm.config import Settings
    from crm.errors import UsageError
    from tests.factories import add_complaint

    wang = add_customer(session)
    complaint = add_complaint(session, wang, NOW, "waiting_time")
    with Session(engine) as first, Session(engine) as second:
        # Both read it open; the first resolution commits before the second writes.
        seen = first.get(Complaint, complaint.id)
        second.get(Complaint, complaint.id)
        assert seen.status == "open"
        resolve(second, Settings(), complaint.id, "换了配件", NOW)
        second.commit()
        try:
            resolve(first, Settings(), complaint.id, "已道歉", NOW)
            raised = None
        except UsageError as exc:
            raised = str(exc)
        first.rollback()

    assert raised is not None and "resolved by someone else just now" in raised
    session.expire_all()
    assert session.get(Complaint, complaint.id).resolution == "换了配件"

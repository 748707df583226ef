"""The month-end figures count what the call desk logged, driven end to end through the CLI."""

import json
from datetime import UTC, datetime, timedelta

from tests.factories import add_agent, add_customer, add_task, add_vehicle


def at(day: int, hour: int = 10) -> datetime:
    """A moment in February 2026, store time (Shanghai, UTC+8)."""
    return datetime(2026, 2, day, hour - 8, 0, tzinfo=UTC)


def test_a_month_worked_at_the_desk_adds_up_in_the_report(crm, session):
    add_agent(session, "a01", "王芳")
    wang = add_customer(session, name="王伟", phone="+8613800138000")
    car = add_vehicle(session, wang, datetime(2026, 1, 2).date())
    li = add_customer(session, name="李娜")
    care = add_task(session, wang, "care_call", at(1).date(), at(6).date(), vehicle_id=car.id)
    callback = add_task(session, li, "service_callback", at(9).date(), at(11).date())

    def ok(*args, when):
        result = crm(*args, at=when)
        assert result.exit_code == 0, result.output
        return result

    ok("calls", "assign", when=at(1))
    ok("calls", "log", care.id, "--outcome", "no_answer", when=at(3))
    ok(
        "calls",
        "log",
        care.id,
        "--outcome",
        "reached",
        "--satisfaction",
        "5",
        "--mileage",
        "2100",
        when=at(4),
    )
    ok(
        "calls",
        "log",
        callback.id,
        "--outcome",
        "reached",
        "--satisfaction",
        "2",
        "--complaint",
        "waiting_time",
        "--complaint-text",
        "等太久",
        when=at(10),
    )
    complaint = json.loads(ok("complaints", "list", "--format", "json", when=at(10)).output)[0]
    follow_up = json.loads(
        ok("calls", "list", "--date", "2026-02-10", "--format", "json", when=at(10, 12)).output
    )[0]
    ok("calls", "log", follow_up["task_id"], "--outcome", "reached", when=at(10, 16))
    ok(
        "complaints",
        "resolve",
        complaint["complaint_id"],
        "--resolution",
        "致歉并赠送保养",
        when=at(12),
    )
    confirm = json.loads(
        ok("calls", "list", "--date", "2026-02-12", "--format", "json", when=at(12, 11)).output
    )[0]
    ok("calls", "log", confirm["task_id"], "--outcome", "reached", "--solved", when=at(13))
    ok("inquiries", "log", "--phone", "13900139000", "--topic", "price", when=at(20))

    report = json.loads(
        ok(
            "report", "monthly", "2026-02", "--format", "json", when=at(28) + timedelta(days=2)
        ).output
    )

    assert (report["calls_made"], report["calls_reached"]) == (5, 4)
    assert report["reach_rate"] == 4 / 5
    assert report["satisfaction_rate"] == 1 / 2  # one 5, one 2
    assert report["satisfaction_avg"] == 3.5
    assert (report["complaints_received"], report["complaints_resolved"]) == (1, 1)
    assert report["resolution_rate"] == 1.0
    assert report["complaints_by_category"]["waiting_time"]["received"] == 1
    assert report["avg_hours_to_first_response"] == 6.0  # 10:00 to the 16:00 progress call
    assert report["avg_hours_to_resolution"] == 48.0
    assert (report["inquiries"], report["leads"]) == (1, 1)
    (agent,) = report["per_agent"]
    assert (agent["agent"], agent["calls"], agent["reached"], agent["complaints_handled"]) == (
        "a01",
        5,
        4,
        1,
    )

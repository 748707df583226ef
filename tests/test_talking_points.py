"""Talking points name the date and km that matter, and never a past date as if ahead."""

import json
from datetime import date, timedelta

from tests.factories import (
    NOW,
    TODAY,
    add_complaint,
    add_customer,
    add_task,
    add_vehicle,
    add_visit,
)


def say(crm, task_id: int) -> str:
    rows = json.loads(crm("calls", "list", "--format", "json").output)
    return next(row["talking_points"] for row in rows if row["task_id"] == task_id)


def test_a_first_service_invitation_still_ahead_names_its_date_and_km(crm, session):
    wang = add_customer(session)
    details = {"first_service_on": "2026-03-14", "first_service_km": 5000}
    task = add_task(session, wang, "first_service_call", TODAY, TODAY, details=details)

    assert say(crm, task.id) == "邀请2026-03-14前后回店免费首保（首保里程5000公里），可当场预约"


def test_a_first_service_date_already_past_is_said_as_past(crm, session):
    wang = add_customer(session)
    details = {"first_service_on": "2026-03-01", "first_service_km": 5000}
    task = add_task(session, wang, "first_service_call", TODAY, TODAY, details=details)

    line = say(crm, task.id)

    assert line.startswith("首保时间（2026-03-01）已过，请尽快回店")
    assert "5000公里" in line and "前后" not in line


def test_an_overdue_maintenance_call_says_how_late_and_the_last_service_km(crm, session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, date(2024, 1, 10))
    basis = add_visit(session, car, date(2025, 9, 1), 18_500)
    details = {"predicted_on": (TODAY - timedelta(days=4)).isoformat(), "pace_km_day": 30.0}
    task = add_task(
        session,
        wang,
        "maintenance_call",
        TODAY - timedelta(days=7),
        TODAY - timedelta(days=4),
        vehicle_id=car.id,
        cycle=f"after:{basis.id}",
        details=details,
    )

    line = say(crm, task.id)

    assert line.startswith("预计保养日期（2026-03-06）已过4天，请尽快回店保养")
    assert "上次保养18500公里" in line and "约30公里/天" in line


def test_a_maintenance_call_before_its_date_invites_ahead(crm, session):
    wang = add_customer(session)
    details = {"predicted_on": "2026-03-13", "pace_km_day": None}
    task = add_task(
        session, wang, "maintenance_call", TODAY, TODAY + timedelta(days=3), details=details
    )

    assert say(crm, task.id) == "预计2026-03-13需要保养，邀请预约"


def test_the_care_call_planned_at_delivery_names_the_first_service_date_and_km(crm, session):
    wang = add_customer(session)
    add_vehicle(session, wang, date(2026, 2, 8))

    crm("plan")
    rows = json.loads(crm("calls", "list", "--format", "json").output)

    (care,) = [row for row in rows if row["kind"] == "care_call"]
    assert "提醒首保：2026-05-08前后或行驶5000公里" in care["talking_points"]


def test_a_complaint_follow_up_names_the_category_and_department_in_words(crm, session):
    wang = add_customer(session)
    details = {"complaint_id": 1}
    task = add_task(session, wang, "complaint_followup", TODAY, TODAY, details=details)
    complaint = add_complaint(
        session, wang, NOW, "waiting_time", department="after_sales", text="等太久"
    )
    task.subject = f"complaint:{complaint.id}"
    session.add(task)
    session.commit()

    assert say(crm, task.id) == "告知投诉处理进展（等待维修时间过长，售后部）：等太久"

"""Correcting a logged call: the last result amended with a reason, the original kept."""

import json
from datetime import date, timedelta

from sqlmodel import select

from crm.models import AuditEvent, ContactAttempt, FollowupTask
from tests.factories import TODAY, add_agent, add_customer, add_task, add_vehicle


def care_call(session):
    wang = add_customer(session, name="王伟")
    car = add_vehicle(session, wang, date(2026, 2, 8))
    add_agent(session, "a01")
    task = add_task(session, wang, "care_call", TODAY, TODAY, vehicle_id=car.id, agent_id=None)
    return task, car


def correct(crm, task, *args):
    return crm("calls", "correct", task.id, *args)


def history(crm, task) -> list[dict]:
    return json.loads(crm("calls", "show", task.id, "--format", "json").output)["calls"]


def test_a_mistyped_mileage_is_corrected_and_the_original_kept(crm, session):
    task, car = care_call(session)
    crm("calls", "log", task.id, "--outcome", "reached", "--mileage", "150000", "--agent", "a01")

    result = correct(crm, task, "--mileage", "1500", "--reason", "多输了两个0", "--force")

    assert result.exit_code == 0, result.output
    (call,) = history(crm, task)
    assert (call["mileage_km"], call["corrected"]) == (1500, True)
    assert call["original"]["mileage_km"] == 150000
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "call_correction")).all()
    assert event.detail["changed"] == {"mileage_km": [150000, 1500]}
    assert event.detail["reason"] == "多输了两个0" and event.actor.startswith("cli:")


def test_a_lower_corrected_mileage_is_not_judged_against_the_wrong_reading(crm, session):
    task, _car = care_call(session)
    crm("calls", "log", task.id, "--outcome", "reached", "--mileage", "150000", "--agent", "a01")

    # 150000 was the typo itself: 1500 must not need --force because of it.
    result = correct(crm, task, "--mileage", "1500", "--reason", "多输了两个0")

    assert result.exit_code == 0, result.output


def test_reached_pressed_for_an_unanswered_call_reopens_it_for_tomorrow(crm, session):
    task, _car = care_call(session)
    crm("calls", "log", task.id, "--outcome", "reached", "--satisfaction", "5", "--agent", "a01")

    result = correct(crm, task, "--outcome", "no_answer", "--reason", "误选已接通")

    assert "open again" in result.output
    session.expire_all()
    reopened = session.get(FollowupTask, task.id)
    assert (reopened.status, reopened.next_try_on, reopened.unanswered) == (
        "open",
        TODAY + timedelta(days=1),
        1,
    )
    attempt = session.exec(select(ContactAttempt)).one()
    assert (attempt.outcome, attempt.satisfaction) == ("no_answer", None)  # no rating counted
    tomorrow = json.loads(crm("calls", "list", "--date", "2026-03-11", "--format", "json").output)
    assert [row["task_id"] for row in tomorrow] == [task.id]


def test_an_unanswered_call_corrected_to_reached_is_done(crm, session):
    task, _car = care_call(session)
    crm("calls", "log", task.id, "--outcome", "no_answer", "--agent", "a01")

    result = correct(
        crm, task, "--outcome", "reached", "--satisfaction", "4", "--reason", "客户其实接了"
    )

    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(FollowupTask, task.id).status == "done"
    assert session.exec(select(ContactAttempt)).one().satisfaction == 4


def test_corrections_that_cannot_be_made_change_nothing(crm, session):
    task, _car = care_call(session)
    untouched = correct(crm, task, "--note", "x", "--reason", "r")
    assert untouched.exit_code == 2 and "no logged result" in untouched.output

    crm("calls", "log", task.id, "--outcome", "no_answer", "--agent", "a01")
    refused = [
        correct(crm, task, "--outcome", "no_answer", "--reason", "r"),  # nothing changes
        correct(crm, task, "--satisfaction", "5", "--reason", "r"),  # not reached
        correct(crm, task, "--outcome", "reached", "--reason", " "),  # no reason
        correct(crm, task, "--outcome", "reached", "--satisfaction", "9", "--reason", "r"),
    ]

    assert [r.exit_code for r in refused] == [2, 2, 2, 2]
    assert "nothing to correct" in refused[0].output
    assert "only for a customer reached" in refused[1].output
    assert "say why" in refused[2].output
    session.expire_all()
    attempt = session.exec(select(ContactAttempt)).one()
    assert (attempt.outcome, attempt.corrected_at) == ("no_answer", None)
    assert session.exec(select(AuditEvent)).all() == []


def test_a_wrong_number_is_not_corrected_into_a_reached_call(crm, session):
    task, _car = care_call(session)
    crm("calls", "log", task.id, "--outcome", "wrong_number", "--agent", "a01")

    result = correct(crm, task, "--outcome", "reached", "--reason", "号码其实对")

    assert result.exit_code == 2 and "logged as a new call" in result.output


def test_the_month_end_report_counts_the_corrected_rating(crm, session):
    task, _car = care_call(session)
    crm("calls", "log", task.id, "--outcome", "reached", "--satisfaction", "1", "--agent", "a01")

    correct(crm, task, "--satisfaction", "5", "--reason", "客户说的是非常满意")
    report = json.loads(crm("report", "monthly", "2026-03", "--format", "json").output)

    assert (report["satisfaction_rated"], report["satisfaction_avg"]) == (1, 5.0)

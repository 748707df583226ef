"""At most three calls to one customer in any 7 days: their other calls wait."""

import json
from datetime import date, timedelta

from sqlmodel import select

from crm.models import FollowupTask
from tests.factories import (
    NOW,
    TODAY,
    add_agent,
    add_attempt,
    add_customer,
    add_task,
    add_vehicle,
)
from tests.test_planning import plan


def listed(crm, at=NOW) -> list[int]:
    return [
        row["task_id"] for row in json.loads(crm("calls", "list", "--format", "json", at=at).output)
    ]


def test_the_third_call_this_week_makes_the_customers_other_calls_wait(crm, session):
    add_agent(session, "a01")
    wang = add_customer(session)
    first = add_task(session, wang, "care_call", TODAY, TODAY)
    other = add_task(session, wang, "sales_callback", TODAY, TODAY + timedelta(days=3))
    complaint = add_task(session, wang, "complaint_followup", TODAY, TODAY)
    add_attempt(session, wang, NOW - timedelta(days=5), "no_answer")  # 03-05
    add_attempt(session, wang, NOW - timedelta(days=2), "no_answer")

    result = crm("calls", "log", first.id, "--outcome", "reached", "--agent", "a01")

    assert "1 other call(s) to this customer wait: 3 calls this week" in result.output
    session.expire_all()
    assert session.get(FollowupTask, other.id).next_try_on == date(2026, 3, 12)
    assert listed(crm) == [complaint.id]  # the complaint's call never waits
    assert other.id in listed(crm, at=NOW + timedelta(days=2))


def test_two_calls_this_week_leave_the_others_on_the_list(crm, session):
    add_agent(session, "a01")
    wang = add_customer(session)
    first = add_task(session, wang, "care_call", TODAY, TODAY)
    other = add_task(session, wang, "sales_callback", TODAY, TODAY + timedelta(days=3))
    add_attempt(session, wang, NOW - timedelta(days=2), "no_answer")

    crm("calls", "log", first.id, "--outcome", "reached", "--agent", "a01")

    assert listed(crm) == [other.id]


def test_a_new_call_for_a_customer_called_enough_this_week_waits(session):
    wang = add_customer(session)
    for days in (6, 4, 1):
        add_attempt(session, wang, NOW - timedelta(days=days), "busy")
    add_vehicle(session, wang, TODAY - timedelta(days=1))  # delivered yesterday: a callback

    plan(session, TODAY)

    (call,) = session.exec(select(FollowupTask)).all()
    assert (call.kind, call.next_try_on) == ("sales_callback", TODAY + timedelta(days=1))

"""The month-end figures: a February of known events, its January, and the edges of both."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from crm.config import Settings
from crm.models import Store
from crm.report import Month, build_report
from tests.factories import (
    NOW,
    add_agent,
    add_attempt,
    add_complaint,
    add_customer,
    add_inquiry,
    add_sms,
    add_task,
    add_vehicle,
    add_visit,
    shanghai,
)

FEB = Month(2026, 2)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def visit(session, vehicle, day: date, service_type: str, revenue_cents: int | None = None):
    row = add_visit(session, vehicle, day, 5000, service_type)
    row.revenue_cents = revenue_cents
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def february(session):
    """A month of calls, callbacks, complaints, visits, reminders and messages, with January."""
    fang = add_agent(session, "A01", "王芳")
    qiang = add_agent(session, "A02", "李强")
    add_agent(session, "A09", "离职员工", active=False)
    wang = add_customer(session, name="王伟")
    li = add_customer(session, name="李娜")
    zhang = add_customer(session, name="张强")
    zhao = add_customer(session, name="赵敏")
    sun = add_customer(session, name="孙丽")
    v1 = add_vehicle(session, wang, d(11, 1, 2025))
    v2 = add_vehicle(session, li, d(6, 1, 2025))
    v3 = add_vehicle(session, zhang, d(1, 1, 2025))
    v4 = add_vehicle(session, zhao, d(11, 5, 2025))
    v5 = add_vehicle(session, sun, d(11, 20, 2025))

    # Calls. 23:30 on the 28th (Shanghai) is February; 00:05 on 1 March is not.
    add_attempt(session, wang, shanghai(d(2, 1), 0, 10), agent_id=fang.id)
    add_attempt(session, wang, shanghai(d(2, 3), 10), satisfaction=5, agent_id=fang.id)
    add_attempt(session, li, shanghai(d(2, 10), 10), satisfaction=4, agent_id=fang.id)
    add_attempt(session, zhang, shanghai(d(2, 10), 15), satisfaction=2, agent_id=fang.id)
    add_attempt(session, zhao, shanghai(d(2, 11), 9), "no_answer", agent_id=fang.id)
    add_attempt(
        session, sun, shanghai(d(2, 12), 10), satisfaction=5, agent_id=qiang.id,
        tags=["等待维修时间过长"],
    )  # fmt: skip
    add_attempt(session, sun, shanghai(d(2, 12), 11), "busy", agent_id=qiang.id)
    add_attempt(
        session, li, shanghai(d(2, 28), 23, 30), satisfaction=3, agent_id=qiang.id,
        tags=["等待维修时间过长", "服务态度不够热情"],
    )  # fmt: skip
    add_attempt(session, wang, shanghai(d(3, 1), 0, 5), satisfaction=1, agent_id=qiang.id)
    # January: 2 of 3 ratings satisfied; 23:50 on the 31st belongs to January.
    add_attempt(session, wang, shanghai(d(1, 31), 23, 50), satisfaction=5, agent_id=fang.id)
    add_attempt(session, li, shanghai(d(1, 15), 10), satisfaction=2, agent_id=fang.id)
    add_attempt(session, zhang, shanghai(d(1, 16), 10), satisfaction=4, agent_id=fang.id)
    add_attempt(session, zhao, shanghai(d(1, 20), 10), "no_answer", agent_id=fang.id)

    # Reminders: an SMS and a call that brought the car in, two that did not (yet).
    add_sms(
        session, wang, "first_service_sms", "delivered", shanghai(d(2, 1), 10), vehicle_id=v1.id
    )
    visit(session, v1, d(2, 15), "first_service", 0)
    add_sms(session, zhao, "reminder_fallback", "undelivered", shanghai(d(2, 5), 10),
            vehicle_id=v4.id)  # fmt: skip
    maintenance = add_task(
        session, li, "maintenance_call", d(2, 18), "done", vehicle_id=v2.id,
        closed_at=shanghai(d(2, 18), 10),
    )  # fmt: skip
    add_attempt(session, li, shanghai(d(2, 18), 10), task_id=maintenance.id, agent_id=qiang.id)
    visit(session, v2, d(12, 20, 2025), "maintenance")
    visit(session, v2, d(2, 20), "maintenance", 68000)
    first_call = add_task(session, sun, "first_service_call", d(2, 25), vehicle_id=v5.id)
    add_attempt(session, sun, shanghai(d(2, 25), 10), task_id=first_call.id, agent_id=fang.id)
    visit(session, v5, d(4, 1), "first_service")  # 35 days later: outside the 30-day window
    visit(session, v3, d(1, 5), "maintenance")
    visit(session, v3, d(2, 21), "repair", 125050)
    visit(session, v3, d(3, 1), "repair", 1000)

    # Callbacks due in February: one on time, one closed 07:30 on the 8th (23:30 UTC on
    # the 7th, its due date), one still open, one unreachable, one cancelled.
    add_task(session, wang, "sales_callback", d(2, 7), "done", closed_at=shanghai(d(2, 6), 10))
    add_task(session, li, "sales_callback", d(2, 7), "done", closed_at=shanghai(d(2, 8), 7, 30))
    add_task(session, zhang, "service_callback", d(2, 20))
    add_task(session, zhao, "care_call", d(2, 25), "unreachable", closed_at=shanghai(d(2, 24), 9))
    add_task(session, sun, "service_callback", d(2, 14), "cancelled")
    add_task(session, sun, "sales_callback", d(3, 2))

    # Complaints across both month ends.
    add_complaint(
        session, wang, shanghai(d(2, 2), 10), "waiting_time", agent_id=fang.id,
        first_response_at=shanghai(d(2, 2), 12), resolved_at=shanghai(d(2, 3), 10),
        status="closed", confirmed_at=shanghai(d(2, 4), 10),
    )  # fmt: skip
    add_complaint(
        session, li, shanghai(d(2, 27), 10), "staff_attitude", agent_id=qiang.id,
        first_response_at=shanghai(d(2, 27), 14), resolved_at=shanghai(d(3, 2), 10),
        status="resolved",
    )  # fmt: skip
    add_complaint(
        session, zhang, shanghai(d(2, 28), 23, 30), "vehicle_quality", department="sales",
        agent_id=fang.id,
    )  # fmt: skip
    add_complaint(
        session, zhao, shanghai(d(2, 10), 9), "waiting_time",
        first_response_at=shanghai(d(2, 10), 10), reopened=1,
    )  # fmt: skip
    add_complaint(
        session, sun, shanghai(d(1, 20), 9), "price", resolved_at=shanghai(d(2, 5), 9),
        status="resolved",
    )  # fmt: skip
    add_complaint(session, sun, shanghai(d(3, 1), 0, 30), "parts")

    # Messages: sent, delivered, undelivered, refused before sending, queued, January's.
    add_sms(session, li, "birthday_sms", "delivered", shanghai(d(2, 14), 10))
    add_sms(session, zhang, "holiday_sms", "delivered", shanghai(d(2, 17), 9))
    add_sms(session, sun, "holiday_sms", "failed", None, updated_at=shanghai(d(2, 17), 9))
    add_sms(session, sun, "campaign_sms", "queued", None)
    add_sms(session, wang, "birthday_sms", "delivered", shanghai(d(1, 31), 23))

    # Opt-outs, inquiries, leads and referrals.
    zhao.sms_consent, zhao.sms_consent_at = False, shanghai(d(2, 9), 15)
    session.add(zhao)
    add_customer(session, sms_consent=False, sms_consent_at=shanghai(d(1, 9), 15))
    add_customer(session, referred_by="王伟", created_at=shanghai(d(2, 12), 10))
    add_customer(session, referred_by="", created_at=shanghai(d(2, 12), 10))
    add_customer(session, referred_by="李娜", created_at=shanghai(d(1, 12), 10))
    add_inquiry(session, shanghai(d(2, 3), 10), "model", new_lead=True)
    add_inquiry(session, shanghai(d(2, 4), 10), "price")
    add_inquiry(session, shanghai(d(2, 5), 10), "service")
    add_inquiry(session, shanghai(d(2, 6), 10), "model", new_lead=True)
    add_inquiry(session, shanghai(d(3, 1), 10), "model", new_lead=True)
    session.commit()
    return {"fang": fang, "qiang": qiang}


def report_for(session, month=FEB, settings=None, now=NOW):
    store = session.exec(select(Store)).first()
    return build_report(session, store, month, settings or Settings(), now)


def test_every_figure_of_a_known_february(session, february):
    figures = report_for(session).as_json()

    expected = {
        "month": "2026-02",
        "calls_made": 10,
        "calls_reached": 8,
        "reach_rate": 0.8,
        "satisfaction_rated": 5,
        "satisfaction_rate": 0.6,
        "satisfaction_avg": 3.8,
        "satisfaction_rate_prev": 2 / 3,
        "satisfaction_change_pp": -6.7,
        "callbacks_due": 4,
        "callbacks_on_time": 1,
        "callbacks_overdue": 2,
        "callback_on_time_rate": 0.25,
        "complaints_received": 4,
        "complaints_resolved": 1,
        "resolution_rate": 0.25,
        "avg_hours_to_first_response": 2.3,
        "avg_hours_to_resolution": 24.0,
        "complaints_resolved_in_month": 2,
        "complaints_open_at_month_end": 3,
        "service_visits": 3,
        "customers_new": 1,
        "customers_returning": 2,
        "service_revenue": 1930.5,
        "service_revenue_cents": 193050,
        "reminders_sent": 4,
        "reminders_sms": 2,
        "reminders_calls": 2,
        "reminders_vehicles": 4,
        "reminders_converted": 2,
        "reminder_conversion_rate": 0.5,
        "sms_sent": 4,
        "sms_delivered": 3,
        "sms_failed": 2,
        "delivery_rate": 0.75,
        "opt_outs": 1,
        "inquiries": 4,
        "leads": 2,
        "referrals": 1,
    }
    assert {key: figures[key] for key in expected} == pytest.approx(expected)


def test_breakdowns_by_kind_category_type_topic_and_agent(session, february):
    figures = report_for(session).as_json()

    assert figures["callbacks_by_kind"] == [
        {"kind": "sales_callback", "due": 2, "on_time": 1, "overdue": 1, "on_time_rate": 0.5},
        {"kind": "service_callback", "due": 1, "on_time": 0, "overdue": 1, "on_time_rate": 0.0},
        {"kind": "care_call", "due": 1, "on_time": 0, "overdue": 0, "on_time_rate": 0.0},
    ]
    assert figures["complaints_by_category"] == {
        "waiting_time": {"received": 2, "resolved": 1},
        "staff_attitude": {"received": 1, "resolved": 0},
        "vehicle_quality": {"received": 1, "resolved": 0},
    }
    assert figures["complaints_by_department"] == {
        "service": {"received": 3, "resolved": 1},
        "sales": {"received": 1, "resolved": 0},
    }
    assert figures["service_visits_by_type"] == {
        "first_service": 1,
        "maintenance": 1,
        "repair": 1,
        "warranty": 0,
        "bodywork": 0,
        "other": 0,
    }
    assert figures["inquiries_by_topic"] == {
        "model": 2,
        "price": 1,
        "promotion": 0,
        "service": 1,
        "complaint": 0,
        "other": 0,
    }
    assert figures["sms_by_kind"]["holiday_sms"] == {
        "sent": 1,
        "delivered": 1,
        "failed": 1,
        "segments": 0,
    }
    assert figures["top_issues"] == [
        {"issue": "等待维修时间过长", "count": 2},
        {"issue": "服务态度不够热情", "count": 1},
    ]
    agents = {a["agent"]: a for a in figures["per_agent"]}
    assert set(agents) == {"A01", "A02"}  # the inactive agent with no work is left out
    assert agents["A01"] == pytest.approx(
        {
            "agent": "A01",
            "name": "王芳",
            "calls": 6,
            "reached": 5,
            "reach_rate": 5 / 6,
            "rated": 3,
            "satisfaction_rate": 2 / 3,
            "satisfaction_avg": 11 / 3,
            "complaints_handled": 2,
        }
    )
    assert (agents["A02"]["calls"], agents["A02"]["satisfaction_rate"]) == (4, 0.5)
    assert agents["A02"]["complaints_handled"] == 1


def test_days_and_months_are_the_stores_own(session, february):
    figures = report_for(session).as_json()

    days = {d["date"]: d for d in figures["calls_by_day"]}
    assert len(days) == 28
    assert (days["2026-02-01"]["calls"], days["2026-02-28"]["calls"]) == (1, 1)
    assert (days["2026-02-10"]["calls"], days["2026-02-10"]["reach_rate"]) == (2, 1.0)
    assert days["2026-02-02"]["reach_rate"] is None
    trend = {m["month"]: m for m in figures["satisfaction_trend"]}
    assert list(trend)[0] == "2025-03" and list(trend)[-1] == "2026-02"
    assert trend["2026-01"]["rated"] == 3
    assert trend["2026-02"]["satisfaction_rate"] == 0.6
    assert trend["2025-12"]["satisfaction_rate"] is None


def test_last_months_values_sit_beside_this_months(session, february):
    figures = report_for(session).as_json()

    assert figures["previous"]["month"] == "2026-01"
    assert figures["previous"]["calls_made"] == 4
    assert figures["previous"]["resolution_rate"] == 0.0
    assert figures["change"]["resolution_rate"] == 25.0
    assert figures["change"]["calls_made"] == 6
    assert figures["change"]["service_revenue"] is None  # January's visits had no amounts


def test_a_month_with_nothing_logged_has_no_invented_numbers(session):
    figures = report_for(session, Month(2025, 6)).as_json()

    assert figures["calls_made"] == 0
    for ratio in ("reach_rate", "satisfaction_rate", "resolution_rate", "delivery_rate"):
        assert figures[ratio] is None
    assert figures["avg_hours_to_first_response"] is None
    assert figures["service_revenue"] is None
    assert figures["previous"] is None
    assert figures["satisfaction_rate_prev"] is None
    assert figures["satisfaction_change_pp"] is None


def test_a_month_that_has_not_started_is_refused(session):
    from crm.errors import UsageError

    with pytest.raises(UsageError, match="2026-04 has not started yet"):
        report_for(session, Month(2026, 4))


def test_the_current_month_counts_an_open_callback_as_overdue_only_after_its_due_date(session):
    wang = add_customer(session)
    add_task(session, wang, "sales_callback", d(3, 9))
    add_task(session, wang, "sales_callback", d(3, 12))

    figures = report_for(session, Month(2026, 3)).as_json()

    assert (figures["callbacks_due"], figures["callbacks_overdue"]) == (2, 1)
    assert figures["complete"] is False


def test_month_bounds_follow_daylight_saving_in_the_stores_zone(session):
    berlin = Store(code="ber", name="Berlin", timezone="Europe/Berlin")
    session.add(berlin)
    session.commit()
    customer = add_customer(session, store_id=berlin.id)
    # CET (+1) before 29 March 2026, CEST (+2) after.
    add_attempt(session, customer, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))  # 1 Mar 00:30
    add_attempt(session, customer, datetime(2026, 3, 31, 21, 30, tzinfo=UTC))  # 31 Mar 23:30
    add_attempt(session, customer, datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 1 Apr 00:30

    report = build_report(
        session, berlin, Month(2026, 3), Settings(), datetime(2026, 5, 1, tzinfo=UTC)
    )

    days = {d["date"]: d["calls"] for d in report.current["calls_by_day"]}
    assert report.current["calls_made"] == 2
    assert (days["2026-03-01"], days["2026-03-31"]) == (1, 1)

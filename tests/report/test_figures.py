"""The month-end figures: a February of known events, its January, and the edges of both."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.config import Settings
from crm.models import Store
from crm.report import Month, build_report
from tests.factories import add_attempt, add_customer, add_due_task, add_vehicle, shanghai
from tests.report.conftest import d, report_for, visit


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
        "callbacks_late": 1,  # closed 07:30 on the 8th, due the 7th
        "callbacks_not_done": 2,  # one still open, one unreachable
        "callbacks_overdue": 3,
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
        {
            "kind": "sales_callback",
            "due": 2,
            "on_time": 1,
            "late": 1,
            "not_done": 0,
            "overdue": 1,
            "on_time_rate": 0.5,
        },
        {
            "kind": "service_callback",
            "due": 1,
            "on_time": 0,
            "late": 0,
            "not_done": 1,
            "overdue": 1,
            "on_time_rate": 0.0,
        },
        {
            "kind": "care_call",
            "due": 1,
            "on_time": 0,
            "late": 0,
            "not_done": 1,
            "overdue": 1,
            "on_time_rate": 0.0,
        },
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
        "reportable": 1,  # its provider reports delivery (not the console)
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
    add_due_task(session, wang, "sales_callback", d(3, 9))
    add_due_task(session, wang, "sales_callback", d(3, 12))

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


def test_a_first_time_customers_second_visit_in_the_month_is_a_returning_visit(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, d(12, 1, 2025))
    visit(session, car, d(2, 3), "first_service")
    visit(session, car, d(2, 20), "repair")
    li = add_customer(session, name="李娜")
    van = add_vehicle(session, li, d(12, 1, 2025))
    visit(session, van, d(2, 9), "bodywork")  # two orders on her first day
    visit(session, van, d(2, 9), "repair")

    figures = report_for(session).current

    assert figures["service_visits"] == 4
    assert (figures["customers_new"], figures["customers_returning"]) == (2, 2)


def test_the_average_score_counts_only_rated_calls_that_reached_the_customer(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=5)
    add_attempt(session, wang, shanghai(d(2, 11), 10), satisfaction=3)
    add_attempt(session, wang, shanghai(d(2, 12), 10), "no_answer", satisfaction=1)

    figures = report_for(session).current

    assert (figures["satisfaction_rated"], figures["satisfaction_avg"]) == (2, 4.0)


def test_the_last_instant_before_local_midnight_stays_on_its_day(session):
    wang = add_customer(session)
    last = Month(2026, 3).start(ZoneInfo("Asia/Shanghai")) - timedelta(microseconds=300)
    add_attempt(session, wang, last, satisfaction=5)  # 23:59:59.9997 on 28 Feb, store time
    add_due_task(session, wang, "care_call", d(2, 28), "done", closed_at=last)

    figures = report_for(session).current

    days = {day["date"]: day["calls"] for day in figures["calls_by_day"]}
    assert (figures["calls_made"], days["2026-02-28"]) == (1, 1)
    assert figures["satisfaction_trend"][-1] == {
        "month": "2026-02",
        "rated": 1,
        "satisfaction_rate": 1.0,
    }
    assert (figures["callbacks_on_time"], figures["callbacks_overdue"]) == (1, 0)

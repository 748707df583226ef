"""A month of known events for the report's tests: February 2026 and its January."""

from datetime import date

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
    add_due_task,
    add_inquiry,
    add_sms,
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
    maintenance = add_due_task(
        session, li, "maintenance_call", d(2, 18), "done", vehicle_id=v2.id,
        closed_at=shanghai(d(2, 18), 10),
    )  # fmt: skip
    add_attempt(session, li, shanghai(d(2, 18), 10), task_id=maintenance.id, agent_id=qiang.id)
    visit(session, v2, d(12, 20, 2025), "maintenance")
    visit(session, v2, d(2, 20), "maintenance", 68000)
    first_call = add_due_task(session, sun, "first_service_call", d(2, 25), vehicle_id=v5.id)
    add_attempt(session, sun, shanghai(d(2, 25), 10), task_id=first_call.id, agent_id=fang.id)
    visit(session, v5, d(4, 1), "first_service")  # 35 days later: outside the 30-day window
    visit(session, v3, d(1, 5), "maintenance")
    visit(session, v3, d(2, 21), "repair", 125050)
    visit(session, v3, d(3, 1), "repair", 1000)

    # Callbacks due in February: one on time, one closed 07:30 on the 8th (23:30 UTC on
    # the 7th, its due date), one still open, one unreachable, one cancelled.
    add_due_task(session, wang, "sales_callback", d(2, 7), "done", closed_at=shanghai(d(2, 6), 10))
    add_due_task(session, li, "sales_callback", d(2, 7), "done", closed_at=shanghai(d(2, 8), 7, 30))
    add_due_task(session, zhang, "service_callback", d(2, 20))
    add_due_task(
        session, zhao, "care_call", d(2, 25), "unreachable", closed_at=shanghai(d(2, 24), 9)
    )
    add_due_task(session, sun, "service_callback", d(2, 14), "cancelled")
    add_due_task(session, sun, "sales_callback", d(3, 2))

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

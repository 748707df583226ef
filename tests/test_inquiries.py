"""Inbound inquiries: recorded, and an unknown number becomes a lead."""

import json
from datetime import timedelta

from sqlmodel import select

from crm.models import Customer, Inquiry
from tests.factories import NOW, add_customer


def test_an_unknown_number_becomes_a_lead_with_its_need_noted(crm, session):
    result = crm(
        "inquiries",
        "log",
        "--phone",
        "139 0013 9000",
        "--topic",
        "price",
        "--name",
        "张先生",
        "--note",
        "问途观L落地价",
        "--format",
        "json",
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["new_lead"] is True
    lead = session.get(Customer, data["customer_id"])
    assert (lead.name, lead.phone, lead.is_lead) == ("张先生", "+8613900139000", True)
    assert (lead.sms_consent, lead.marketing_consent) == (False, False)  # agreed to nothing yet
    (inquiry,) = session.exec(select(Inquiry)).all()
    assert (inquiry.topic, inquiry.note, inquiry.new_lead) == ("price", "问途观L落地价", True)


def test_a_known_number_is_linked_to_its_customer(crm, session):
    known = add_customer(session, name="王伟", phone="+8613800138000")

    result = crm(
        "inquiries", "log", "--phone", "+86 138-0013-8000", "--topic", "service", "--format", "json"
    )

    data = json.loads(result.output)
    assert (data["customer_id"], data["new_lead"]) == (known.id, False)
    assert len(session.exec(select(Customer)).all()) == 1


def test_inquiries_list_by_day_and_topic(crm, session):
    crm("inquiries", "log", "--phone", "13900139000", "--topic", "price")
    crm(
        "inquiries", "log", "--phone", "13900139001", "--topic", "model", at=NOW + timedelta(days=2)
    )

    everything = json.loads(
        crm("inquiries", "list", "--until", "2026-03-12", "--format", "json").output
    )
    prices = json.loads(crm("inquiries", "list", "--topic", "price", "--format", "json").output)
    today = json.loads(
        crm(
            "inquiries",
            "list",
            "--since",
            "2026-03-10",
            "--until",
            "2026-03-10",
            "--format",
            "json",
        ).output
    )

    assert [i["topic"] for i in everything] == ["price", "model"]
    assert everything[0]["received_at"] == "2026-03-10T10:00+08:00"
    assert [i["phone"] for i in prices] == ["+8613900139000"]
    assert [i["topic"] for i in today] == ["price"]
    assert crm("inquiries", "list").exit_code == 0


def test_a_bad_number_is_refused_in_one_line(crm, session):
    result = crm("inquiries", "log", "--phone", "12345", "--topic", "price")

    assert result.exit_code == 2
    assert result.output.strip().startswith("Error: invalid phone '12345'")
    assert session.exec(select(Inquiry)).all() == []


def test_a_caller_who_left_no_name_is_an_unnamed_customer_not_a_number(crm, session):
    result = crm("inquiries", "log", "--phone", "13900139000", "--topic", "price")
    listed = json.loads(crm("inquiries", "list", "--format", "json").output)

    assert result.exit_code == 0, result.output
    (lead,) = session.exec(select(Customer)).all()
    assert (lead.name, lead.phone) == ("未留名客户", "+8613900139000")
    assert [row["customer"] for row in listed] == ["未留名客户"]

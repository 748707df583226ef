"""The audit trail: the changes a manager must account for are rows naming who made them."""

import getpass
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from crm.models import AuditEvent, Customer
from tests.factories import NOW, TODAY, add_agent, add_customer, add_task


@pytest.fixture(autouse=True)
def os_user(monkeypatch):
    """The CLI names its user from the OS; the tests fix it."""
    monkeypatch.setattr(getpass, "getuser", lambda: "wang")


def rows(session, **where) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(session.exec(query))


def complaint_of(crm, phone: str = "13800138000") -> int:
    added = crm(
        "complaints",
        "add",
        "--customer",
        phone,
        "--category",
        "parts",
        "--text",
        "配件等了两周",
        "--format",
        "json",
    )
    assert added.exit_code == 0, added.output
    return json.loads(added.output)["complaint_id"]


def test_an_opt_out_from_the_cli_is_one_row_per_customer_naming_the_os_user(crm, session):
    from crm.stores import add_store

    north = add_store(session, "north", "北区店", "Asia/Shanghai")
    here = add_customer(session, name="王伟", phone="+8613800138000")
    there = add_customer(session, store_id=north.id, name="王伟", phone="+8613800138000")

    result = crm("sms", "optout", "138 0013 8000", "--source", "phone")

    assert result.exit_code == 0, result.output
    recorded = rows(session, action="consent")
    assert [(r.customer_id, r.store_id) for r in recorded] == [
        (here.id, 1),
        (there.id, north.id),
    ]
    assert {r.actor for r in recorded} == {"cli:wang"}
    assert recorded[0].detail == {
        "sms_consent": [True, False],
        "marketing_consent": [True, False],
        "source": "phone",
    }
    assert recorded[0].at.replace(tzinfo=NOW.tzinfo) == NOW


def test_opting_out_a_customer_already_out_records_nothing(crm, session):
    add_customer(session, phone="+8613800138000", sms_consent=False, marketing_consent=False)

    assert crm("sms", "optout", "13800138000").exit_code == 0

    assert rows(session) == []


def test_an_opt_out_ticked_on_a_call_names_who_logged_it(crm, session):
    agent = add_agent(session, "a01")
    customer = add_customer(session, phone="+8613800138000", marketing_consent=False)
    task = add_task(session, customer, "care_call", TODAY, TODAY, agent_id=agent.id)

    logged = crm("calls", "log", task.id, "--outcome", "reached", "--opt-out")

    assert logged.exit_code == 0, logged.output
    (row,) = rows(session, action="consent")
    assert (row.actor, row.customer_id) == ("cli:wang", customer.id)
    assert row.detail == {"sms_consent": [True, False], "source": "call"}


def test_resolving_and_routing_a_complaint_are_recorded_with_what_changed(crm, session):
    add_agent(session, "a01")
    add_agent(session, "a02")
    customer = add_customer(session, phone="+8613800138000")
    cid = complaint_of(crm)

    routed = crm("complaints", "route", cid, "--department", "after_sales", "--agent", "a02")
    resolved = crm("complaints", "resolve", cid, "--resolution", "配件已到，已更换")

    assert routed.exit_code == 0, routed.output
    assert resolved.exit_code == 0, resolved.output
    route, resolve = rows(session)
    assert (route.action, route.actor, route.customer_id) == (
        "complaint_route",
        "cli:wang",
        customer.id,
    )
    assert route.detail == {"department": ["parts", "after_sales"], "agent": ["a01", "a02"]}
    assert (resolve.action, resolve.subject) == ("complaint_resolve", f"complaint:{cid}")
    assert resolve.detail == {"resolution": "配件已到，已更换"}


def test_a_refused_change_records_nothing(crm, session):
    add_agent(session, "a01")
    add_customer(session, phone="+8613800138000")
    cid = complaint_of(crm)

    blank = crm("complaints", "resolve", cid, "--resolution", "  ")
    nowhere = crm("complaints", "route", cid, "--department", "marketing")

    assert blank.exit_code == 2 and "say how it was resolved" in blank.output
    assert nowhere.exit_code == 2 and "unknown department 'marketing'" in nowhere.output
    assert "(--department TEXT)" in nowhere.output
    assert rows(session) == []


def test_the_trail_lists_newest_first_filters_and_pages_back(crm, session):
    add_agent(session, "a01")
    add_customer(session, phone="+8613800138000")
    add_customer(session, phone="+8613900139000")
    first = complaint_of(crm)
    crm("sms", "optout", "13900139000", at=NOW + timedelta(minutes=1))
    crm("complaints", "resolve", first, "--resolution", "已解决", at=NOW + timedelta(minutes=2))

    listed = json.loads(crm("audit", "list", "--format", "json").output)
    consent = json.loads(crm("audit", "list", "--action", "consent", "--format", "json").output)
    older = json.loads(crm("audit", "list", "--before", listed[0]["id"], "--format", "json").output)

    assert [row["action"] for row in listed] == ["complaint_resolve", "consent"]
    assert listed[0]["at"] == "2026-03-10 10:02"  # the store's own time
    assert listed[1]["customer"] == "王伟"
    assert [row["action"] for row in consent] == ["consent"]
    assert [row["id"] for row in older] == [listed[1]["id"]]


def test_an_unknown_action_is_one_sentence_naming_the_option(crm):
    result = crm("audit", "list", "--action", "phone")

    assert result.exit_code == 2
    assert "unknown action 'phone'" in result.output and "(--action ACTION)" in result.output


def test_another_stores_changes_are_not_in_this_stores_trail(crm, session):
    from crm.stores import add_store

    north = add_store(session, "north", "北区店", "Asia/Shanghai")
    add_customer(session, store_id=north.id, phone="+8613700000001")
    crm("sms", "optout", "13700000001")

    here = json.loads(crm("audit", "list", "--format", "json").output)
    there = json.loads(crm("audit", "list", "--store", "north", "--format", "json").output)

    assert here == []
    assert [row["action"] for row in there] == ["consent"]
    assert session.exec(select(Customer.sms_consent)).all() == [False]

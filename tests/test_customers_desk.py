"""Customers at the desk: find one however typed, read their history, add, edit, mark."""

import json
from datetime import date

from sqlmodel import select

from crm.models import AuditEvent, Customer, FollowupTask, SmsMessage
from tests.factories import NOW, TODAY, add_customer, add_message, add_task, add_vehicle


def test_a_customer_is_found_by_phone_however_typed_by_plate_and_by_code(crm, session):
    wang = add_customer(session, name="王建国", phone="+8613800138000", customer_code="C0101")
    add_vehicle(session, wang, date(2025, 6, 1), plate="粤A12345")

    for query in ("138 0013 8000", "+86-138-0013-8000", "粤A12345", "C0101", "王建"):
        found = json.loads(crm("customers", "find", query, "--format", "json").output)
        assert [row["customer_code"] for row in found] == ["C0101"], query

    table = crm("customers", "find", "13800138000").output
    assert "138 0013 8000" in table and "粤A12345" in table


def test_finding_nothing_says_so_and_an_empty_query_is_refused(crm, session):
    add_customer(session, name="王建国")

    assert "no customer matches" in crm("customers", "find", "赵").output
    empty = crm("customers", "find", " ")
    assert empty.exit_code == 2 and "phone, plate, name or VIN" in empty.output


def test_show_gives_the_whole_history_by_code_id_or_phone(crm, session):
    wang = add_customer(session, name="王建国", phone="+8613800138000", customer_code="C0101")
    add_vehicle(session, wang, date(2025, 6, 1), plate="粤A12345", model="迈腾")

    for ref in ("C0101", f"id:{wang.id}", "138 0013 8000"):
        data = json.loads(crm("customers", "show", ref, "--format", "json").output)
        assert data["customer"]["name"] == "王建国"
        assert [car["plate"] for car in data["vehicles"]] == ["粤A12345"]
    missing = crm("customers", "show", "C9999")
    assert missing.exit_code == 2 and "no customer 'C9999'" in missing.output


def test_a_walk_in_customer_is_added_and_a_known_phone_is_refused(crm, session):
    added = crm("customers", "add", "--name", "赵晨", "--phone", "139 0013 9000", "--sms", "no")
    assert added.exit_code == 0, added.output

    zhao = session.exec(select(Customer).where(Customer.name == "赵晨")).one()
    assert (zhao.phone, zhao.sms_consent) == ("+8613900139000", False)
    again = crm("customers", "add", "--name", "赵晨二", "--phone", "13900139000")
    assert again.exit_code == 2 and "already has +8613900139000" in again.output
    bad = crm("customers", "add", "--name", "钱", "--phone", "12")
    assert bad.exit_code == 2 and "138 0013 8000" in bad.output
    assert len(session.exec(select(Customer)).all()) == 1


def test_a_dms_code_another_customer_has_is_refused_with_a_sentence_naming_them(crm, session):
    add_customer(session, name="王建国", phone="+8613800138000", customer_code="C0101")

    again = crm("customers", "add", "--name", "赵晨", "--phone", "13900139000", "--code", "C0101")

    assert again.exit_code == 2, again.output
    assert "王建国" in again.output and "C0101" in again.output and "--code" in again.output
    assert "another process" not in again.output
    assert len(session.exec(select(Customer)).all()) == 1


def test_a_new_phone_and_withdrawn_consent_are_audited_and_cancel_queued_sms(crm, session):
    wang = add_customer(session, phone="+8613800138000", customer_code="C0101")
    queued = add_message(session, wang, kind="birthday_sms")

    result = crm("customers", "edit", "C0101", "--phone", "139 0000 1111", "--sms", "no")

    assert result.exit_code == 0, result.output
    session.expire_all()
    wang = session.get(Customer, wang.id)
    assert (wang.phone, wang.sms_consent, wang.sms_consent_source) == (
        "+8613900001111",
        False,
        "desk",
    )
    assert session.get(SmsMessage, queued.id).status == "cancelled"
    events = {e.action: e for e in session.exec(select(AuditEvent)).all()}
    assert events["customer_phone"].detail == {
        "before": "+8613800138000",
        "after": "+8613900001111",
    }
    assert events["consent"].detail == {"before": True, "after": False}
    assert events["customer_phone"].actor.startswith("cli:")
    assert events["consent"].customer_id == wang.id


def test_an_edit_that_changes_nothing_writes_nothing(crm, session):
    add_customer(session, name="王伟", customer_code="C0101")

    result = crm("customers", "edit", "C0101", "--name", "王伟")

    assert "nothing to change" in result.output
    assert session.exec(select(AuditEvent)).all() == []


def test_a_deceased_customer_gets_no_birthday_sms_and_their_calls_end(crm, session):
    wang = add_customer(session, customer_code="C0101", birthday=date(1970, 3, 12))
    call = add_task(session, wang, "care_call", TODAY, TODAY)

    refused = crm("customers", "mark", "C0101", "--status", "deceased")
    assert refused.exit_code == 2 and "say why" in refused.output

    marked = crm("customers", "mark", "C0101", "--status", "deceased", "--reason", "家属来电告知")
    assert marked.exit_code == 0, marked.output
    assert "1 open calls" in marked.output
    crm("plan", "--date", "2026-03-12", at=NOW)

    session.expire_all()
    assert session.get(FollowupTask, call.id).status == "cancelled"
    greetings = session.exec(select(SmsMessage).where(SmsMessage.kind == "birthday_sms")).all()
    assert greetings == []
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "customer_status")).all()
    assert event.detail == {"before": "active", "after": "deceased", "reason": "家属来电告知"}


def test_a_birthday_is_greeted_while_the_customer_is_active(crm, session):
    # The same facts as above without the mark: the planner does greet, so the test above
    # proves the mark, not a planner that never greets.
    add_customer(session, customer_code="C0101", birthday=date(1970, 3, 12))

    crm("plan", "--date", "2026-03-12", at=NOW)

    greetings = session.exec(select(SmsMessage).where(SmsMessage.kind == "birthday_sms")).all()
    assert len(greetings) == 1


def test_a_landline_typed_at_the_desk_gets_calls_but_no_sms(crm, session):
    crm("customers", "add", "--name", "赵晨", "--phone", "010 6552 9988")

    zhao = session.exec(select(Customer).where(Customer.name == "赵晨")).one()
    assert (zhao.phone, zhao.phone_sms) == ("+861065529988", False)


def test_an_export_with_a_status_column_marks_customers_but_never_revives_one(
    crm, session, tmp_path
):
    from tests.factories import write_csv

    headers = ["客户编号", "姓名", "手机", "客户状态"]
    first = write_csv(
        tmp_path / "c.csv",
        headers,
        [
            ["C1", "王伟", "13800138001", "正常"],
            ["C2", "李娜", "13800138002", "已故"],
            ["C3", "张强", "13800138003", "流失"],
            ["C4", "赵敏", "13800138004", "保密"],
        ],
        "gb18030",
    )
    result = crm("import", "customers", first)
    assert result.exit_code == 0, result.output

    status = {c.customer_code: c.status for c in session.exec(select(Customer))}
    assert status == {"C1": "active", "C2": "deceased", "C3": "lost", "C4": "active"}
    warned = (tmp_path / "c.csv.warnings.csv").read_text(encoding="utf-8-sig")
    assert "C4" in warned and "unknown customer status '保密'" in warned

    again = write_csv(tmp_path / "d.csv", headers, [["C2", "李娜", "13800138002", "正常"]])
    crm("import", "customers", again)
    session.expire_all()
    assert session.exec(select(Customer).where(Customer.customer_code == "C2")).one().status == (
        "deceased"
    )

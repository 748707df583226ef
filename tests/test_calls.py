"""The day's call list and recording results: every outcome path, through the CLI."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

from rich.cells import cell_len
from sqlmodel import select

from crm.models import (
    ContactAttempt,
    Customer,
    DoNotCall,
    FollowupTask,
    SmsMessage,
    Vehicle,
)
from tests.factories import NOW, TODAY, add_agent, add_customer, add_task, add_vehicle, add_visit

TOMORROW = TODAY + timedelta(days=1)
LIST_FIELDS = {
    "task_id",
    "kind",
    "customer",
    "phone",
    "vin",
    "window_start",
    "due_date",
    "overdue",
    "attempts",
    "agent",
    "reason",
}


def listed(crm, *args, at=NOW):
    result = crm("calls", "list", "--format", "json", *args, at=at)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def log(crm, task, *args, at=NOW):
    return crm("calls", "log", task.id, *args, at=at)


def first_service_call(session, **customer_fields):
    customer = add_customer(session, name="王伟", **customer_fields)
    car = add_vehicle(session, customer, date(2025, 12, 1), model="朗逸", plate="粤A12345")
    task = add_task(
        session,
        customer,
        "first_service_call",
        TODAY,
        TODAY + timedelta(days=4),
        vehicle_id=car.id,
        subject=f"vehicle:{car.id}",
        cycle="first",
        details={"first_service_km": 5000, "first_service_on": "2026-03-07"},
    )
    return customer, car, task


# The day's list ------------------------------------------------------------------------


def test_the_list_puts_overdue_first_then_by_due_date_and_hides_what_is_not_due(crm, session):
    agent = add_agent(session, "a01")
    person = add_customer(session, name="欧阳娜娜", hobbies="钓鱼", occupation="教师")
    car = add_vehicle(session, person, date(2026, 2, 1), model="途观L", plate="粤B88888")
    later = add_task(session, person, "service_callback", TODAY, TODAY + timedelta(days=2))
    care = add_task(
        session, person, "care_call", TODAY - timedelta(days=6), TODAY, vehicle_id=car.id
    )
    oldest = add_task(
        session, person, "sales_callback", TODAY - timedelta(days=9), TODAY - timedelta(days=2)
    )
    overdue = add_task(
        session, person, "maintenance_call", TODAY - timedelta(days=4), TODAY - timedelta(days=1)
    )
    add_task(session, person, "care_call", TOMORROW, TOMORROW + timedelta(days=5))  # not yet
    add_task(session, person, "sales_callback", TODAY, TODAY, status="done")  # closed
    add_task(session, person, "service_callback", TODAY, TODAY, next_try_on=TOMORROW)  # retry
    first = add_task(
        session,
        person,
        "first_service_call",
        TODAY,
        TODAY + timedelta(days=1),
        agent_id=agent.id,
        details={"first_service_km": 5000, "first_service_on": "2026-03-07"},
    )

    rows = listed(crm)

    assert [row["task_id"] for row in rows] == [oldest.id, overdue.id, care.id, first.id, later.id]
    assert all(set(row) >= LIST_FIELDS for row in rows)
    assert [row["overdue"] for row in rows] == [True, True, False, False, False]
    care_row = rows[2]
    assert care_row["vin"] == car.vin and care_row["plate"] == "粤B88888"
    assert care_row["window_start"] == "2026-03-04" and care_row["due_date"] == "2026-03-10"
    assert "里程" in care_row["talking_points"]  # the 30-day call asks about mileage
    assert "职业：教师" in care_row["notes"] and "爱好：钓鱼" in care_row["notes"]
    invitation = rows[3]
    assert "5000公里" in invitation["talking_points"]
    assert "2026-03-07" in invitation["talking_points"]
    assert invitation["agent"] == "a01"
    assert [row["task_id"] for row in listed(crm, "--agent", "a01")] == [first.id]


def test_the_table_fits_80_columns_with_chinese_names(crm, session):
    person = add_customer(
        session, name="欧阳娜娜", hobbies="钓鱼、摄影、自驾游", family_notes="已婚"
    )
    car = add_vehicle(session, person, date(2026, 2, 1), model="途观L 330TSI 两驱智享版")
    add_task(session, person, "care_call", TODAY, TODAY, vehicle_id=car.id)

    result = crm("calls", "list")

    assert result.exit_code == 0, result.output
    assert "欧阳娜娜" in result.output and car.vin in result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80


def test_csv_lists_the_same_calls_for_a_spreadsheet(crm, session):
    person = add_customer(session, name="李娜", phone="+8613800138000", customer_code="C0101")
    task = add_task(session, person, "care_call", TODAY, TODAY)

    result = crm("calls", "list", "--format", "csv")

    # A byte-order mark first: Excel on a Chinese PC reads UTF-8 right only after one.
    assert result.output.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff"))))
    assert [(r["task_id"], r["customer"], r["due_date"]) for r in rows] == [
        (str(task.id), "李娜", "2026-03-10")
    ]
    assert (rows[0]["phone"], rows[0]["customer_code"]) == ("138 0013 8000", "C0101")


def test_xlsx_lists_the_calls_with_chinese_headers_and_readable_phones(crm, session, tmp_path):
    from openpyxl import load_workbook

    person = add_customer(session, name="李娜", phone="+8613800138000", customer_code="C0101")
    add_agent(session, "a01", "王芳")
    task = add_task(session, person, "care_call", TODAY, TODAY)
    crm("calls", "assign")

    result = crm("calls", "list", "--format", "xlsx")

    assert result.exit_code == 0
    path = tmp_path / "calls.xlsx"
    path.write_bytes(result.stdout_bytes)
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[2]]
    row = dict(zip(header, (cell.value for cell in sheet[3]), strict=True))
    assert (row["任务号"], row["客户"], row["客户编号"]) == (task.id, "李娜", "C0101")
    assert (row["电话"], row["客服"]) == ("138 0013 8000", "a01")


def test_the_table_shows_the_agent_and_json_carries_the_dms_code(crm, session):
    person = add_customer(session, name="李娜", phone="+8613800138000", customer_code="C0101")
    add_agent(session, "a07", "王芳")
    add_task(session, person, "care_call", TODAY, TODAY)
    crm("calls", "assign")

    table = crm("calls", "list").output
    (row,) = json.loads(crm("calls", "list", "--format", "json").output)

    assert "a07" in table and "138 0013 8000" in table
    assert (row["customer_code"], row["phone"]) == ("C0101", "+8613800138000")


def test_show_puts_the_customers_history_on_one_screen(crm, session):
    customer, car, task = first_service_call(session)
    add_visit(session, car, date(2026, 1, 5), 1200, service_type="repair")
    log(crm, task, "--outcome", "no_answer", "--agent", add_agent(session, "a01").code)

    result = crm("calls", "show", task.id, "--format", "json")

    data = json.loads(result.output)
    assert data["task"]["task_id"] == task.id
    assert data["customer"]["name"] == "王伟"
    assert [v["vin"] for v in data["vehicles"]] == [car.vin]
    assert [v["odometer_km"] for v in data["visits"]] == [1200]
    assert [c["outcome"] for c in data["calls"]] == ["no_answer"]
    assert crm("calls", "show", task.id).exit_code == 0


# Recording results ---------------------------------------------------------------------


def test_unanswered_calls_come_back_daily_then_close_with_an_sms_fallback(crm, session):
    add_agent(session, "a01")
    customer, car, task = first_service_call(session)

    first = log(crm, task, "--outcome", "no_answer", "--agent", "a01")
    assert first.exit_code == 0, first.output
    assert "back on the list 2026-03-11" in first.output
    assert task.id not in [row["task_id"] for row in listed(crm)]  # not again today
    tomorrow = NOW + timedelta(days=1)
    (row,) = listed(crm, "--date", TOMORROW.isoformat(), at=tomorrow)
    assert (row["task_id"], row["attempts"]) == (task.id, 1)
    assert row["last_outcome"] == "no_answer" and row["agent"] == "a01"

    assert log(crm, task, "--outcome", "busy", at=tomorrow).exit_code == 0
    third = log(crm, task, "--outcome", "no_answer", "--format", "json", at=tomorrow + timedelta(1))

    data = json.loads(third.output)
    assert data["task_status"] == "unreachable"
    (message,) = session.exec(select(SmsMessage)).all()
    assert data["fallback_sms_id"] == message.id
    assert (message.kind, message.category, message.status) == (
        "reminder_fallback",
        "service",
        "queued",
    )
    assert message.body.startswith("【示例汽车4S店】王先生您好")
    assert "粤A12345" in message.body and "首保" in message.body
    again = log(crm, task, "--outcome", "reached", at=tomorrow + timedelta(1))
    assert again.exit_code == 2
    assert "already unreachable" in again.output
    attempts = session.exec(select(ContactAttempt).order_by(ContactAttempt.id)).all()
    assert [a.outcome for a in attempts] == ["no_answer", "busy", "no_answer"]


def test_max_attempts_comes_from_config_and_no_consent_means_no_fallback(crm, session, tmp_path):
    add_agent(session, "a01")
    _customer, _car, task = first_service_call(session, sms_consent=False)
    config = tmp_path / "one.toml"
    config.write_text("[followup]\nmax_attempts = 1\n", encoding="utf-8")

    result = crm("--config", config, "calls", "log", task.id, "--outcome", "busy", "--agent", "a01")

    assert result.exit_code == 0, result.output
    assert "unreachable" in result.output and "no SMS consent" in result.output
    assert session.exec(select(SmsMessage)).all() == []


def test_a_wrong_number_flags_the_phone_and_stops_calls_and_sms_to_it(crm, session):
    add_agent(session, "a01")
    customer, car, task = first_service_call(session)
    other = add_task(session, customer, "care_call", TODAY, TODAY)
    queued = SmsMessage(
        store_id=1,
        customer_id=customer.id,
        kind="birthday_sms",
        category="marketing",
        subject=f"customer:{customer.id}",
        cycle="2026",
        to_phone=customer.phone,
        body="【示例汽车4S店】生日快乐",
        reason="birthday",
    )
    session.add(queued)
    session.commit()

    result = log(crm, task, "--outcome", "wrong_number", "--agent", "a01")

    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(Customer, customer.id).phone_valid is False
    assert session.get(FollowupTask, task.id).status == "unreachable"
    assert session.get(FollowupTask, other.id).status == "unreachable"
    assert session.get(SmsMessage, queued.id).status == "cancelled"
    assert listed(crm) == []


def test_declined_closes_the_call_and_the_planner_calls_no_more_of_that_kind(crm, session):
    add_agent(session, "a01")
    customer = add_customer(session, name="赵敏")
    car = add_vehicle(session, customer, date(2025, 1, 1))
    add_visit(session, car, TODAY - timedelta(days=1), 9000)
    assert crm("plan").exit_code == 0
    (task,) = session.exec(select(FollowupTask).where(FollowupTask.kind == "service_callback"))

    result = log(crm, task, "--outcome", "declined", "--note", "不要再打电话")

    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(FollowupTask, task.id).status == "cancelled"
    assert [(d.kind, d.source) for d in session.exec(select(DoNotCall))] == [
        ("service_callback", "call")
    ]
    add_visit(session, car, TODAY, 9100, service_type="repair")
    plan = json.loads(crm("plan", "--format", "json").output)
    assert plan["skipped"].get("do_not_call") == 1
    assert "service_callback" not in plan["created"]


def test_callback_later_reschedules_to_the_time_given(crm, session):
    add_agent(session, "a01")
    _customer, _car, task = first_service_call(session)

    missing = log(crm, task, "--outcome", "callback_later", "--agent", "a01")
    past = log(
        crm,
        task,
        "--outcome",
        "callback_later",
        "--callback-at",
        "2026-03-09T15:00",
        "--agent",
        "a01",
    )
    result = log(
        crm,
        task,
        "--outcome",
        "callback_later",
        "--callback-at",
        "2026-03-12T15:00",
        "--agent",
        "a01",
    )

    assert missing.exit_code == 2 and "--callback-at" in missing.output
    assert past.exit_code == 2 and "future" in past.output
    assert result.exit_code == 0, result.output
    assert listed(crm, "--date", "2026-03-11") == []
    (row,) = listed(crm, "--date", "2026-03-12")
    assert row["callback_at"] == "2026-03-12T15:00:00+08:00"
    session.expire_all()
    task = session.get(FollowupTask, task.id)
    assert task.callback_at == datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    assert task.status == "open" and task.unanswered == 0


def test_opt_out_on_a_call_withdraws_consent_and_cancels_queued_sms(crm, session):
    add_agent(session, "a01")
    customer, _car, task = first_service_call(session)
    queued = SmsMessage(
        store_id=1,
        customer_id=customer.id,
        kind="first_service_sms",
        category="service",
        subject="vehicle:1",
        cycle="first",
        to_phone=customer.phone,
        body="【店】首保",
        reason="r",
    )
    session.add(queued)
    session.commit()

    result = log(crm, task, "--outcome", "reached", "--opt-out", "--agent", "a01")

    assert result.exit_code == 0, result.output
    session.expire_all()
    customer = session.get(Customer, customer.id)
    assert (customer.sms_consent, customer.marketing_consent) == (False, False)
    assert customer.sms_consent_source == "call"
    assert customer.sms_consent_at == NOW
    assert session.get(SmsMessage, queued.id).status == "cancelled"


def test_mileage_reported_on_a_call_moves_the_maintenance_date(crm, session):
    add_agent(session, "a01")
    customer = add_customer(session, name="孙丽")
    car = add_vehicle(session, customer, date(2025, 6, 1))
    add_visit(session, car, date(2025, 9, 1), 3000, service_type="first_service")
    add_visit(session, car, date(2026, 1, 5), 8000)
    assert crm("plan").exit_code == 0
    session.expire_all()
    before = session.get(Vehicle, car.id).maintenance_due_on
    task = add_task(session, customer, "care_call", TODAY, TODAY, vehicle_id=car.id)

    result = log(crm, task, "--outcome", "reached", "--mileage", "12500", "--agent", "a01")
    assert crm("plan", at=NOW + timedelta(days=1)).exit_code == 0

    assert result.exit_code == 0, result.output
    session.expire_all()
    after = session.get(Vehicle, car.id).maintenance_due_on
    assert before is not None and after < before  # driving faster: maintenance sooner
    (attempt,) = session.exec(select(ContactAttempt)).all()
    assert attempt.mileage_km == 12500 and attempt.mileage_forced is False


def test_a_mileage_below_the_last_reading_needs_force(crm, session):
    add_agent(session, "a01")
    customer, car, task = first_service_call(session)
    add_visit(session, car, date(2026, 2, 1), 4000, service_type="repair")

    refused = log(crm, task, "--outcome", "reached", "--mileage", "3500", "--agent", "a01")
    forced = log(
        crm,
        task,
        "--outcome",
        "reached",
        "--mileage",
        "3500",
        "--force",
        "--note",
        "换过仪表",
        "--agent",
        "a01",
    )

    assert refused.exit_code == 2
    assert "below the last reading 4000 km" in refused.output and "--force" in refused.output
    assert forced.exit_code == 0, forced.output
    (attempt,) = session.exec(select(ContactAttempt)).all()  # the refused one left nothing
    assert (attempt.mileage_km, attempt.mileage_forced, attempt.note) == (3500, True, "换过仪表")


def test_every_attempt_keeps_who_when_outcome_rating_note_and_tags(crm, session):
    agent = add_agent(session, "a02", name="王芳")
    customer = add_customer(session, name="李娜")
    task = add_task(session, customer, "service_callback", TODAY, TODAY)

    result = log(
        crm,
        task,
        "--outcome",
        "reached",
        "--satisfaction",
        "4",
        "--note",
        "很满意",
        "--tags",
        "洗车, 等待时间",
        "--agent",
        "a02",
    )

    assert result.exit_code == 0, result.output
    (attempt,) = session.exec(select(ContactAttempt)).all()
    assert attempt.agent_id == agent.id and attempt.attempted_at == NOW
    assert (attempt.outcome, attempt.satisfaction, attempt.note) == ("reached", 4, "很满意")
    assert attempt.tags == ["洗车", "等待时间"]
    session.expire_all()
    closed = session.get(FollowupTask, task.id)
    assert (closed.status, closed.agent_id, closed.attempts) == ("done", agent.id, 1)


def test_bad_input_changes_nothing_and_says_why_in_one_line(crm, session):
    add_agent(session, "a01")
    customer = add_customer(session, name="李娜")
    task = add_task(session, customer, "service_callback", TODAY, TODAY)
    unassigned = add_task(session, customer, "care_call", TODAY, TODAY)

    cases = [
        (("calls", "log", 999, "--outcome", "reached"), "no call task 999"),
        (
            (
                "calls",
                "log",
                task.id,
                "--outcome",
                "reached",
                "--satisfaction",
                "6",
                "--agent",
                "a01",
            ),
            "outside 1-5",
        ),
        (
            (
                "calls",
                "log",
                task.id,
                "--outcome",
                "no_answer",
                "--satisfaction",
                "3",
                "--agent",
                "a01",
            ),
            "only for a customer reached",
        ),
        (("calls", "log", task.id, "--outcome", "reached", "--agent", "zz"), "no agent zz"),
        (("calls", "log", unassigned.id, "--outcome", "reached"), "--agent CODE"),
        (
            (
                "calls",
                "log",
                task.id,
                "--outcome",
                "reached",
                "--complaint",
                "noise",
                "--complaint-text",
                "吵",
                "--agent",
                "a01",
            ),
            "unknown complaint category",
        ),
        (
            (
                "calls",
                "log",
                task.id,
                "--outcome",
                "reached",
                "--complaint",
                "price",
                "--agent",
                "a01",
            ),
            "--complaint-text",
        ),
        (
            ("calls", "log", task.id, "--outcome", "reached", "--mileage", "100", "--agent", "a01"),
            "about no vehicle",
        ),
    ]
    for args, message in cases:
        result = crm(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, result.output)
    assert session.exec(select(ContactAttempt)).all() == []
    session.expire_all()
    assert session.get(FollowupTask, task.id).attempts == 0


def test_mileage_on_the_care_call_brings_the_first_service_reminder_forward(crm, session):
    add_agent(session, "a01")
    customer = add_customer(session, name="王伟")
    add_vehicle(session, customer, TODAY - timedelta(days=30))
    assert crm("plan").exit_code == 0
    (care,) = session.exec(select(FollowupTask).where(FollowupTask.kind == "care_call"))

    result = log(crm, care, "--outcome", "reached", "--satisfaction", "5", "--mileage", "4800")
    assert crm("plan", at=NOW + timedelta(days=1)).exit_code == 0

    assert result.exit_code == 0, result.output
    (reminder,) = session.exec(select(SmsMessage).where(SmsMessage.kind == "first_service_sms"))
    # 4,800 km in 30 days is 160 km a day: 5,000 km tomorrow, not in three months.
    assert reminder.planned_for == TODAY + timedelta(days=1)


def test_a_callback_the_customer_asked_for_is_not_overdue_before_its_day(crm, session):
    agent = add_agent(session, "a01")
    person = add_customer(session, name="李娜")
    task = add_task(session, person, "care_call", TODAY, TODAY, agent_id=agent.id)

    log(crm, task, "--outcome", "callback_later", "--callback-at", "2026-03-20T15:00")

    (row,) = listed(crm, "--date", "2026-03-20", at=NOW + timedelta(days=10))
    assert (row["due_date"], row["overdue"]) == ("2026-03-20", False)
    agents = json.loads(
        crm("agents", "list", "--format", "json", at=NOW + timedelta(days=2)).output
    )
    assert agents[0]["overdue_calls"] == 0
    missed = log(crm, task, "--outcome", "no_answer", at=NOW + timedelta(days=10))
    assert missed.exit_code == 0
    (row,) = listed(crm, "--date", "2026-03-21", at=NOW + timedelta(days=11))
    assert row["callback_at"] is None  # the arranged time was used up


def test_after_a_wrong_number_planning_puts_no_calls_to_it_on_the_list(crm, session):
    add_agent(session, "a01")
    customer = add_customer(session, name="赵敏")
    car = add_vehicle(session, customer, date(2025, 1, 1))
    add_visit(session, car, TODAY - timedelta(days=1), 9000)
    assert crm("plan").exit_code == 0
    (task,) = session.exec(select(FollowupTask))
    assert log(crm, task, "--outcome", "wrong_number").exit_code == 0

    add_visit(session, car, TODAY, 9100, service_type="repair")
    plan = json.loads(crm("plan", "--format", "json").output)

    assert plan["skipped"].get("invalid_phone") == 1
    assert listed(crm) == []


def test_the_fallback_sms_is_cancelled_when_the_car_comes_in(crm, session):
    add_agent(session, "a01")
    customer, car, task = first_service_call(session)
    for day in range(3):
        log(crm, task, "--outcome", "no_answer", "--agent", "a01", at=NOW + timedelta(days=day))
    (message,) = session.exec(select(SmsMessage)).all()
    assert "2026-03-07" in message.body  # the first-service day the reminder named

    add_visit(session, car, TODAY + timedelta(days=3), 4900, service_type="first_service")
    assert crm("plan", at=NOW + timedelta(days=3)).exit_code == 0

    session.expire_all()
    assert session.get(SmsMessage, message.id).status == "cancelled"


def test_the_maintenance_fallback_reads_in_english_when_configured(crm, session, tmp_path):
    add_agent(session, "a01")
    customer = add_customer(session, name="Li Na", gender="female")
    car = add_vehicle(session, customer, date(2024, 1, 1), model="Lavida", plate="A12345")
    task = add_task(
        session,
        customer,
        "maintenance_call",
        TODAY,
        TODAY + timedelta(days=3),
        vehicle_id=car.id,
        subject=f"vehicle:{car.id}",
        cycle="after:1",
    )
    config = tmp_path / "en.toml"
    config.write_text('[store]\nlocale = "en"\n[followup]\nmax_attempts = 1\n', encoding="utf-8")

    result = crm("--config", config, "calls", "log", task.id, "--outcome", "busy", "--agent", "a01")

    assert result.exit_code == 0, result.output
    (message,) = session.exec(select(SmsMessage)).all()
    assert message.body == (
        "【示例汽车4S店】Dear Li Na, your Lavida (A12345) is due for maintenance around "
        "2026-03-13. We tried to call you; please call us to book a visit."
    )


def test_ids_too_large_for_the_database_are_one_line_errors(crm, session):
    for args in (
        ("calls", "log", "99999999999", "--outcome", "reached"),
        ("calls", "show", "99999999999"),
        ("complaints", "show", "99999999999"),
        ("agents", "add", "x" * 40, "--name", "太长"),
        (
            "calls",
            "log",
            "1",
            "--outcome",
            "callback_later",
            "--callback-at",
            "9999-12-31T23:00-05:00",
        ),
    ):
        result = crm(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "Error" in result.output


def test_a_car_without_a_plate_gets_no_empty_brackets_in_its_sms(crm, session, tmp_path):
    add_agent(session, "a01")
    customer = add_customer(session, name="王伟")
    car = add_vehicle(session, customer, date(2025, 12, 1), model="朗逸", plate=None)
    task = add_task(
        session,
        customer,
        "maintenance_call",
        TODAY,
        TODAY + timedelta(days=3),
        vehicle_id=car.id,
        subject=f"vehicle:{car.id}",
        cycle="after:1",
    )
    config = tmp_path / "once.toml"
    config.write_text("[followup]\nmax_attempts = 1\n", encoding="utf-8")

    crm("--config", config, "calls", "log", task.id, "--outcome", "busy", "--agent", "a01")

    (message,) = session.exec(select(SmsMessage)).all()
    assert "您的爱车朗逸预计2026-03-13前后需要保养" in message.body
    assert "（）" not in message.body


def long_overdue_first_service_call(session):
    """A first-service invitation whose named day, 2026-02-20, is 18 days gone."""
    add_agent(session, "a01")
    customer = add_customer(session, name="王伟")
    car = add_vehicle(session, customer, date(2025, 11, 20), model="朗逸", plate="粤A12345")
    details = {"first_service_km": 5000, "first_service_on": "2026-02-20"}
    return add_task(
        session,
        customer,
        "first_service_call",
        date(2026, 2, 23),
        date(2026, 2, 27),
        vehicle_id=car.id,
        subject=f"vehicle:{car.id}",
        cycle="first",
        details=details,
    )


def test_a_fallback_for_a_date_long_past_says_come_in_soon_not_the_date(crm, session, tmp_path):
    task = long_overdue_first_service_call(session)
    config = tmp_path / "one.toml"
    config.write_text("[followup]\nmax_attempts = 1\n", encoding="utf-8")

    crm("--config", config, "calls", "log", task.id, "--outcome", "busy", "--agent", "a01")

    (message,) = session.exec(select(SmsMessage)).all()
    assert "首保时间已过，请尽快回店免费首保" in message.body
    assert "2026-02-20" not in message.body


def test_a_stores_own_fallback_wording_is_not_sent_for_a_date_long_past(crm, session, tmp_path):
    task = long_overdue_first_service_call(session)
    own = tmp_path / "own"
    own.mkdir()
    (own / "reminder_fallback.txt").write_text(
        "{{ customer }}您好，请于{{ due_date }}前后回店{{ reminder }}。", encoding="utf-8"
    )
    config = tmp_path / "own.toml"
    config.write_text(
        f'[followup]\nmax_attempts = 1\n[sms]\ntemplates_dir = "{own}"\n', encoding="utf-8"
    )

    result = crm("--config", config, "calls", "log", task.id, "--outcome", "busy", "--agent", "a01")

    assert result.exit_code == 0, result.output
    assert "no SMS fallback: the reminder's date 2026-02-20 is 18 days past" in result.output
    assert session.exec(select(SmsMessage)).all() == []

"""Test data: the named moment every test lives at, and export files as a DMS writes them."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, event

# 10:00 in Shanghai on 10 March 2026.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)

CUSTOMER_HEADERS_ZH = [
    "客户编号",
    "姓名",
    "手机号",
    "生日",
    "农历/公历",
    "性别",
    "职业",
    "爱好",
    "家庭状况",
    "介绍人",
]
VEHICLE_HEADERS_ZH = ["车架号", "客户编号", "车型", "车牌号", "交车日期", "销售顾问"]
VISIT_HEADERS_ZH = ["工单号", "车架号", "进厂日期", "行驶里程", "维修类型", "服务顾问", "金额"]

VIN_A = "LFVAB4E20N0000011"
VIN_B = "LFVAC6F33P0000022"
VIN_C = "LFVAD8G34R0000033"


def write_csv(path: Path, headers: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def read_rejects(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def customer_rows() -> list[list]:
    """Three customers as a Chinese DMS exports them: mixed phone and date spellings."""
    return [
        [
            "C001",
            "王伟",
            "138 0013 8000",
            "1985/3/5",
            "公历",
            "男",
            "教师",
            "钓鱼",
            "已婚，一个孩子",
            "",
        ],
        [
            "C002",
            "李娜",
            "+86 139-0013-9000",
            "1990年8月15日",
            "农历",
            "女",
            "医生",
            "",
            "",
            "王伟",
        ],
        ["C003", "张强", "008613700137000", "", "", "", "", "", "", ""],
    ]


def vehicle_rows() -> list[list]:
    return [
        [VIN_A, "C001", "朗逸", "粤A12345", "2025-10-08", "刘洋"],
        [VIN_B, "C002", "速腾", "粤B 6789 0", "2025.12.20", "陈静"],
        [VIN_C, "C003", "迈腾", "", "2026/1/5", ""],
    ]


def visit_rows() -> list[list]:
    return [
        ["RO0001", VIN_A, "2026-01-08", "4,980", "首保", "周涛", "0"],
        ["RO0002", VIN_A, "2026-03-01", "7200", "维修", "吴倩", "1,250.50"],
        ["RO0003", VIN_B, "2026-03-02", "3100km", "保养", "周涛", "￥680"],
    ]


# Rows made directly, for tests of what works on the store ---------------------------

_counter = iter(range(1, 10**9))


def add_customer(session, **fields):
    from crm.models import Customer

    n = next(_counter)
    values = {
        "store_id": 1,
        "customer_code": f"T{n:06d}",
        "name": "王伟",
        "phone": f"+86138{n:08d}",
        "gender": "male",
        "sms_consent": True,
        "marketing_consent": True,
        **fields,
    }
    customer = Customer(**values)
    session.add(customer)
    session.commit()
    return customer


def add_vehicle(session, owner, delivered: date, **fields):
    from crm.models import Vehicle, VehicleOwnership

    n = next(_counter)
    vehicle = Vehicle(
        store_id=owner.store_id,
        vin=f"LFVAB4E2{n:09d}",
        model=fields.pop("model", "朗逸"),
        plate=fields.pop("plate", f"粤A{n:05d}"),
        delivery_date=delivered,
        owner_id=owner.id,
        **fields,
    )
    session.add(vehicle)
    session.commit()
    session.add(VehicleOwnership(vehicle_id=vehicle.id, customer_id=owner.id, started_on=delivered))
    session.commit()
    return vehicle


def add_visit(session, vehicle, day: date, km: int, service_type: str = "maintenance"):
    """A repair order, and the car's maintenance prediction marked stale, as an import does."""
    from crm.models import ServiceVisit
    from crm.vocabulary.predictions import mark_stale

    n = next(_counter)
    visit = ServiceVisit(
        store_id=vehicle.store_id,
        ro_number=f"RO{n:08d}",
        vehicle_id=vehicle.id,
        customer_id=vehicle.owner_id,
        visit_date=day,
        odometer_km=km,
        service_type=service_type,
    )
    session.add(visit)
    mark_stale(session, [vehicle.id])
    session.commit()
    return visit


# Calls, complaints, inquiries and messages, as the call desk and the SMS sender log them --


def add_task(session, customer, kind: str, window_start: date, due: date, **fields):
    """An open phone task, as the planner would have made it."""
    from crm.models import FollowupTask

    n = next(_counter)
    task = FollowupTask(
        store_id=customer.store_id,
        kind=kind,
        subject=fields.pop("subject", f"vehicle:{n}"),
        cycle=fields.pop("cycle", str(n)),
        customer_id=customer.id,
        window_start=window_start,
        due_date=due,
        reason=fields.pop("reason", f"{kind} owed"),
        **fields,
    )
    session.add(task)
    session.commit()
    return task


def add_agent(session, code: str, name: str = "李娜", **fields):
    from crm.models import Agent

    fields.setdefault("store_id", 1)
    agent = Agent(code=code, name=name, **fields)
    session.add(agent)
    session.commit()
    return agent


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given in store time (Asia/Shanghai), as the UTC the database keeps."""
    from zoneinfo import ZoneInfo

    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))
    return local.astimezone(UTC)


def add_due_task(session, customer, kind: str, due: date, status: str = "open", **fields):
    """A phone task by its due date and state, as the month-end report reads them."""
    from crm.models import FollowupTask

    n = next(_counter)
    task = FollowupTask(
        store_id=customer.store_id,
        kind=kind,
        subject=f"customer:{customer.id}",
        cycle=f"t{n}",
        customer_id=customer.id,
        window_start=fields.pop("window_start", due),
        due_date=due,
        status=status,
        reason="test",
        **fields,
    )
    session.add(task)
    session.commit()
    return task


def add_attempt(session, customer, at: datetime, outcome: str = "reached", **fields):
    from crm.models import ContactAttempt

    attempt = ContactAttempt(customer_id=customer.id, attempted_at=at, outcome=outcome, **fields)
    session.add(attempt)
    session.commit()
    return attempt


def add_complaint(session, customer, received_at: datetime, category: str, **fields):
    from crm.models import Complaint

    complaint = Complaint(
        store_id=customer.store_id,
        customer_id=customer.id,
        received_at=received_at,
        category=category,
        department=fields.pop("department", "service"),
        text=fields.pop("text", "客户投诉"),
        **fields,
    )
    session.add(complaint)
    session.commit()
    return complaint


def add_sms(session, customer, kind: str, status: str, sent_at: datetime | None, **fields):
    from crm.models import SmsMessage
    from crm.vocabulary.kinds import SMS_CATEGORY

    n = next(_counter)
    message = SmsMessage(
        store_id=customer.store_id,
        customer_id=customer.id,
        kind=kind,
        category=SMS_CATEGORY.get(kind, "marketing"),
        subject=f"customer:{customer.id}",
        cycle=f"m{n}",
        to_phone=customer.phone,
        body="【示例汽车4S店】测试",
        reason="test",
        status=status,
        sent_at=sent_at,
        **fields,
    )
    session.add(message)
    session.commit()
    return message


def add_inquiry(session, at: datetime, topic: str, new_lead: bool = False, **fields):
    from crm.models import Inquiry

    n = next(_counter)
    fields.setdefault("store_id", 1)
    inquiry = Inquiry(
        phone=f"+86139{n:08d}", topic=topic, new_lead=new_lead, received_at=at, **fields
    )
    session.add(inquiry)
    session.commit()
    return inquiry


def add_message(session, customer, kind: str = "first_service_sms", **fields):
    """A queued SMS for `customer`, as the planner or the call desk queues one."""
    from crm.models import SmsMessage
    from crm.vocabulary.kinds import SMS_CATEGORY

    n = next(_counter)
    message = SmsMessage(
        store_id=customer.store_id,
        customer_id=customer.id,
        kind=kind,
        category=fields.pop("category", str(SMS_CATEGORY.get(kind, "marketing"))),
        subject=fields.pop("subject", f"customer:{customer.id}"),
        cycle=fields.pop("cycle", f"test:{n}"),
        to_phone=fields.pop("to_phone", customer.phone),
        body=fields.pop("body", f"【示例汽车4S店】{customer.name}您好，这是第{n}条提醒。"),
        reason="test",
        queued_at=fields.pop("queued_at", NOW - timedelta(hours=4)),  # by the 06:00 planning
        **fields,
    )
    session.add(message)
    session.commit()
    return message


def add_user(session, code: str, role: str, password_hash: str, store_id: int | None = 1, **fields):
    """A console login with an already hashed password (hashing costs a third of a second)."""
    from crm.models import User

    user = User(
        code=code,
        name=fields.pop("name", code),
        role=role,
        store_id=None if role == "admin" else store_id,
        password_hash=password_hash,
        **fields,
    )
    session.add(user)
    session.commit()
    return user


@contextmanager
def task_updates() -> Iterator[list[str]]:
    """Every `UPDATE followup_task` statement sent by any engine while inside, in order."""
    sent: list[str] = []

    def seen(_connection, _cursor, statement, _parameters, _context, _many):
        if re.match(r"\s*UPDATE\s+\"?followup_task\b", statement, re.I):
            sent.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", seen)

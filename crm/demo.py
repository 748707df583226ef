"""A realistic demo store: customers, their cars and service histories, from one seed.

Each driver has a pace of their own (km per day), so odometers grow believably and
the maintenance prediction has something real to learn from. Same seed and today,
same data. Rows go in with bulk inserts: the benchmarks need stores of 100,000.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from crm.bulk import bulk_insert
from crm.config import MaintenanceSettings
from crm.errors import StoreNotEmpty
from crm.followup.maintenance import ServiceRecord, predict
from crm.models import Agent, Customer, ServiceVisit, Store, Vehicle, VehicleOwnership

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕玉兰红梅飞鹏浩宇子涵欣怡梓萱雨桐嘉怡俊杰晨阳文博思远佳琪一鸣婷雪琳宏亮"  # noqa: E501
MOBILE_PREFIXES = [
    "138",
    "139",
    "137",
    "136",
    "135",
    "150",
    "151",
    "158",
    "159",
    "186",
    "187",
    "188",
    "189",
    "133",
    "153",
    "177",
    "180",
    "181",
    "199",
    "166",
    "176",
    "131",
]
# (model, share of sales, maintenance-interval km): one brand, as a 4S store sells.
MODELS = [
    ("朗逸", 0.30),
    ("速腾", 0.22),
    ("迈腾", 0.16),
    ("探岳", 0.14),
    ("途观L", 0.12),
    ("ID.4 CROZZ", 0.06),
]
VDS = {
    "朗逸": "AB4E2",
    "速腾": "AC6F3",
    "迈腾": "AD8G3",
    "探岳": "AE5H4",
    "途观L": "AF7J4",
    "ID.4 CROZZ": "AG1K9",
}
OCCUPATIONS = [
    "教师",
    "医生",
    "工程师",
    "公务员",
    "个体经营",
    "销售",
    "律师",
    "会计",
    "程序员",
    "司机",
    "企业主",
    "护士",
    "设计师",
    "退休",
    None,
    None,
]
HOBBIES = [
    "钓鱼",
    "自驾游",
    "摄影",
    "篮球",
    "羽毛球",
    "跑步",
    "书法",
    "茶艺",
    "登山",
    "烹饪",
    None,
    None,
    None,
]
FAMILY = [
    "已婚，一个孩子",
    "已婚，两个孩子",
    "未婚",
    "已婚",
    "孩子在读高中",
    "与父母同住",
    None,
    None,
]
CONSULTANTS = ["刘洋", "陈静", "王磊", "赵敏", "孙浩"]
ADVISORS = ["周涛", "吴倩", "郑凯", "冯丽"]
AGENTS = [("a01", "李晓梅"), ("a02", "张雨婷"), ("a03", "王佳琪"), ("a04", "陈思远")]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010 = A, cycling every 30 years
_PLANT_CODES = "CDEFGHJKLMNPRSTUVWXYZ0123456789AB"
CHUNK = 5000


@dataclass
class SeedResult:
    customers: int = 0
    vehicles: int = 0
    visits: int = 0
    agents: int = 0
    skipped: bool = False
    existing: int = 0
    logins: list[dict] = field(default_factory=list)  # the demo's console logins in this store


def vin_check_digit(vin16: str) -> str:
    """ISO 3779 check digit (position 9), which GB 16735 also requires."""
    chars = vin16[:8] + "0" + vin16[8:]
    total = sum(_VIN_VALUES[c] * w for c, w in zip(chars, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def make_vin(model: str, delivered: date, serial: int) -> str:
    year = _YEAR_CODES[(delivered.year - 2010) % 30]
    # Position 11 (the plant) carries the millions, so serials stay unique past 999,999.
    plant = _PLANT_CODES[serial // 1_000_000 % len(_PLANT_CODES)]
    body = "LFV" + VDS[model] + year + plant + f"{serial % 1_000_000:06d}"
    return body[:8] + vin_check_digit(body) + body[8:]


def seed(
    session: Session,
    store: Store,
    *,
    customers: int,
    seed_value: int,
    today: date,
    now: datetime,
    if_empty: bool = False,
    maintenance: MaintenanceSettings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedResult:
    """Fill an empty store with `customers` customers, their cars, visits and a few agents."""
    existing = session.execute(
        select(func.count()).select_from(Customer).where(Customer.store_id == store.id)
    ).scalar_one()
    if existing:
        if if_empty:
            return SeedResult(skipped=True, existing=existing)
        raise StoreNotEmpty(
            f"store {store.code!r} already has {existing} customers; demo seed fills an empty store"
        )
    rng = random.Random(seed_value)
    maintenance = maintenance or MaintenanceSettings()
    next_id = {
        table: _next_id(session, table) for table in ("customer", "vehicle", "service_visit")
    }
    result = SeedResult()
    session.execute(
        insert(Agent.__table__),
        [
            {"store_id": store.id, "code": code, "name": name, "active": True, "created_at": now}
            for code, name in AGENTS
        ],
    )
    result.agents = len(AGENTS)
    phones: set[str] = set()
    names: list[str] = []
    ro_serial = 0
    for start in range(0, customers, CHUNK):
        people, cars, owners, visits = [], [], [], []
        for offset in range(start, min(start + CHUNK, customers)):
            person = _customer(
                rng, store.id, next_id["customer"] + offset, offset, phones, now, today
            )
            if names and rng.random() < 0.05:
                person["referred_by"] = rng.choice(names)  # 转介绍
            names.append(person["name"])
            people.append(person)
            for _ in range(2 if rng.random() < 0.08 else 1):
                car = _vehicle(
                    rng,
                    store.id,
                    next_id["vehicle"] + result.vehicles + len(cars),
                    person["id"],
                    today,
                    now,
                )
                cars.append(car)
                owners.append(
                    {
                        "vehicle_id": car["id"],
                        "customer_id": person["id"],
                        "started_on": car["delivery_date"],
                        "recorded_at": now,
                    }
                )
                history = _history(rng, car, today, now)
                for visit in history:
                    ro_serial += 1
                    visit.update(
                        id=next_id["service_visit"] + ro_serial - 1,
                        ro_number=f"RO{store.id:02d}{ro_serial:08d}",
                        customer_id=person["id"],
                    )
                visits.extend(history)
                _predict_maintenance(car, history, maintenance, now)
        for table, rows in (
            (Customer, people),
            (Vehicle, cars),
            (VehicleOwnership, owners),
            (ServiceVisit, visits),
        ):
            bulk_insert(session, table.__table__, rows)
        result.customers += len(people)
        result.vehicles += len(cars)
        result.visits += len(visits)
        if progress:
            progress("customers", result.customers, customers)
    _resync_sequences(session)
    session.commit()
    return result


def _next_id(session: Session, table: str) -> int:
    return (session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar() or 0) + 1


def _resync_sequences(session: Session) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past what was inserted."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("customer", "vehicle", "service_visit", "vehicle_ownership", "agent"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def _customer(rng, store_id, id_, index, phones, now, today) -> dict:
    while True:
        phone = "+86" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in phones:
            phones.add(phone)
            break
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    age_days = rng.randrange(22 * 365, 65 * 365)
    marketing = rng.random() < 0.55
    status = "active"
    roll = rng.random()
    if roll < 0.002:
        status = "deceased"
    elif roll < 0.012:
        status = "lost"
    birthday = today - timedelta(days=age_days) if rng.random() < 0.85 else None
    lunar = birthday is not None and rng.random() < 0.2
    return {
        "id": id_,
        "store_id": store_id,
        "customer_code": f"C{index + 1:07d}",
        "name": rng.choice(SURNAMES) + given,
        "phone": phone,
        "phone_valid": True,
        "birthday": birthday,
        "birthday_calendar": "lunar" if lunar else "solar",
        "gender": rng.choice(["male", "male", "female"]),
        "occupation": rng.choice(OCCUPATIONS),
        "hobbies": rng.choice(HOBBIES),
        "family_notes": rng.choice(FAMILY),
        "referred_by": None,
        "sms_consent": rng.random() < 0.93,
        "sms_consent_at": now,
        "sms_consent_source": "demo",
        "marketing_consent": marketing,
        "marketing_consent_at": now,
        "marketing_consent_source": "demo",
        "status": status,
        "is_lead": False,
        "created_at": now,
        "updated_at": now,
    }


def _vehicle(rng, store_id, id_, owner_id, today, now) -> dict:
    model = rng.choices([m for m, _ in MODELS], weights=[w for _, w in MODELS])[0]
    delivered = today - timedelta(days=rng.randrange(1, 3 * 365))
    plate = "粤A" + "".join(rng.choice(PLATE_LETTERS + "0123456789") for _ in range(5))
    return {
        "id": id_,
        "store_id": store_id,
        "vin": make_vin(model, delivered, id_),
        "plate": plate,
        "model": model,
        "delivery_date": delivered,
        "sales_consultant": rng.choice(CONSULTANTS),
        "owner_id": owner_id,
        "created_at": now,
        "updated_at": now,
    }


def _history(rng, car: dict, today: date, now: datetime) -> list[dict]:
    """Visits at this driver's own pace: first service, then maintenance, some repairs."""
    pace = min(max(rng.lognormvariate(3.5, 0.5), 8.0), 120.0)  # km a day, median ~33
    loyal = rng.random() < 0.8
    visits, day, km = [], car["delivery_date"], 0
    interval = timedelta(days=min(182, int(5000 / pace)))
    kind = "first_service"
    step = timedelta(days=min(91, int(5000 / pace)))
    while True:
        day = day + step + timedelta(days=rng.randrange(-10, 20))
        if day >= today:
            break
        km = max(km + 1, int((day - car["delivery_date"]).days * pace * rng.uniform(0.9, 1.1)))
        if kind == "first_service" and rng.random() < 0.1:
            kind = "maintenance"  # skipped the free first service
        if kind == "first_service" or loyal or rng.random() < 0.4:
            visits.append(_visit(rng, car, day, km, kind, now))
        if rng.random() < 0.08:
            extra = rng.choice(["repair", "repair", "bodywork", "warranty"])
            later = day + timedelta(days=rng.randrange(5, 40))
            if later < today:
                km_later = km + int((later - day).days * pace)
                visits.append(_visit(rng, car, later, km_later, extra, now))
                day, km = later, km_later
        kind, step = "maintenance", interval
    return visits


def _predict_maintenance(car: dict, history: list[dict], settings, now: datetime) -> None:
    """Store the car's maintenance prediction as a visit import leaves it, fresh."""
    services = [
        ServiceRecord(v["id"], v["visit_date"], v["odometer_km"], v["service_type"])
        for v in history
    ]
    found = predict(car["delivery_date"], services, [], settings.interval(car["model"]), settings)
    car.update(
        maintenance_due_on=found.due_on if found else None,
        maintenance_pace_km_day=found.pace_km_day if found else None,
        maintenance_readings=found.readings if found else None,
        maintenance_basis_visit_id=found.basis_visit_id if found else None,
        maintenance_predicted_at=now,
    )


_REVENUE = {
    "first_service": (0, 0),
    "maintenance": (380, 1200),
    "repair": (300, 8000),
    "bodywork": (1500, 12000),
    "warranty": (0, 0),
}


def _visit(rng, car, day, km, kind, now) -> dict:
    low, high = _REVENUE[kind]
    return {
        "store_id": car["store_id"],
        "vehicle_id": car["id"],
        "visit_date": day,
        "odometer_km": km,
        "service_type": kind,
        "service_advisor": rng.choice(ADVISORS),
        "revenue_cents": rng.randrange(low, high + 1) * 100,
        "created_at": now,
        "updated_at": now,
    }

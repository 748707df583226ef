"""The columns each import reads, and the names dealer systems give them."""

from __future__ import annotations

from dataclasses import dataclass

from crm.errors import UsageError


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


STORE = Column("store", ("门店", "门店代码", "店号", "经销商代码"))
CUSTOMER_CODE = Column("customer_code", ("客户编号", "客户编码", "客户代码", "客户id", "客户号"))
PHONE = Column("phone", ("手机", "手机号", "手机号码", "联系电话", "电话", "移动电话", "mobile"))

CUSTOMERS = (
    CUSTOMER_CODE,
    Column("name", ("姓名", "客户姓名", "客户名称", "车主姓名", "车主"), required=True),
    Column(PHONE.name, PHONE.aliases, required=True),
    Column("birthday", ("生日", "出生日期", "出生年月日")),
    Column("birthday_calendar", ("农历/公历", "公历/农历", "农历", "生日类型", "历法")),
    Column("birthday_leap_month", ("闰月", "是否闰月", "农历闰月", "leap")),
    Column("gender", ("性别",)),
    Column("occupation", ("职业",)),
    Column("hobbies", ("爱好", "兴趣爱好")),
    Column("family", ("家庭", "家庭状况", "家庭情况", "family_notes")),
    Column("referred_by", ("介绍人", "推荐人", "转介绍人")),
    Column("sms_consent", ("短信", "接收短信", "短信同意", "服务短信")),
    Column("marketing_consent", ("营销短信", "接收营销短信", "营销同意")),
    STORE,
)

VEHICLES = (
    Column("vin", ("车架号", "vin码", "车辆识别代号", "底盘号"), required=True),
    CUSTOMER_CODE,
    PHONE,
    Column("model", ("车型", "车型名称", "车系"), required=True),
    Column("plate", ("车牌", "车牌号", "车牌号码")),
    Column(
        "delivery_date",
        ("交车日期", "购车日期", "开票日期", "销售日期", "交付日期"),
        required=True,
    ),
    Column("sales_consultant", ("销售顾问", "销售员")),
    STORE,
)

VISITS = (
    Column("ro_number", ("工单号", "维修工单号", "工单编号", "委托书号"), required=True),
    Column("vin", ("车架号", "vin码", "车辆识别代号", "底盘号"), required=True),
    Column(
        "visit_date", ("进厂日期", "维修日期", "入厂日期", "开单日期", "服务日期"), required=True
    ),
    Column("odometer_km", ("行驶里程", "里程", "进厂里程", "公里数", "里程数"), required=True),
    Column("service_type", ("维修类型", "服务类型", "业务类型", "工单类型"), required=True),
    Column("service_advisor", ("服务顾问", "接待员", "服务接待")),
    Column("revenue", ("金额", "工时费", "结算金额", "总金额", "维修金额")),
    STORE,
)

KINDS = {"customers": CUSTOMERS, "vehicles": VEHICLES, "visits": VISITS}


def _normal(header) -> str:
    return str(header or "").strip().lower().replace(" ", "")


def map_headers(kind: str, headers: list, filename: str) -> dict[str, int]:
    """Map each known column to its position in `headers`; fail when a required one is missing."""
    columns = KINDS[kind]
    lookup: dict[str, str] = {}
    for column in columns:
        for spelling in (column.name, *column.aliases):
            lookup[_normal(spelling)] = column.name
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = lookup.get(_normal(header))
        if name is not None and name not in positions:
            positions[name] = index
    missing = [c for c in columns if c.required and c.name not in positions]
    if kind == "vehicles" and not {"customer_code", "phone"} & positions.keys():
        missing.append(Column("customer_code or phone", ("客户编号", "手机")))
    if missing:
        names = ", ".join(f"{c.name} ({c.aliases[0]})" if c.aliases else c.name for c in missing)
        raise UsageError(f"{filename} has no column for {names}; is this a {kind} file?")
    return positions

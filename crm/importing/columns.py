"""The columns each import reads, and the names dealer systems give them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.errors import UsageError


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


STORE = Column("store", ("门店", "门店代码", "店号", "经销商代码"))
CUSTOMER_CODE = Column("customer_code", ("客户编号", "客户编码", "客户代码", "客户id", "客户号"))
# A mobile first: it takes calls and SMS. A landline column (联系电话 is often the home
# or office line) is read only where the row has no mobile (see `contact_phone`).
PHONE = Column("phone", ("手机", "手机号", "手机号码", "移动电话", "mobile"))
LANDLINE = Column(
    "landline", ("联系电话", "电话", "电话号码", "固定电话", "座机", "家庭电话", "办公电话", "tel")
)

CUSTOMERS = (
    CUSTOMER_CODE,
    Column("name", ("姓名", "客户姓名", "客户名称", "车主姓名", "车主"), required=True),
    Column(PHONE.name, PHONE.aliases, required=True),
    LANDLINE,
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
    Column("status", ("客户状态", "状态", "status")),
    STORE,
)

VEHICLES = (
    Column("vin", ("车架号", "vin码", "车辆识别代号", "底盘号"), required=True),
    CUSTOMER_CODE,
    PHONE,
    LANDLINE,
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
    Column(
        "odometer_km",
        ("行驶里程", "里程", "进厂里程", "公里数", "里程数", "行驶里程数"),
        required=True,
    ),
    Column("service_type", ("维修类型", "服务类型", "业务类型", "工单类型"), required=True),
    Column("service_advisor", ("服务顾问", "接待员", "服务接待")),
    # Revenue is read by `revenue_column`: the order's total, never its labour or parts.
    STORE,
)

KINDS = {"customers": CUSTOMERS, "vehicles": VEHICLES, "visits": VISITS}


# Revenue is the repair order's total. Exports often carry its parts too (工时费 labour,
# 材料费 parts), and read first-come the labour was taken for the total: a third of it.
REVENUE_TOTALS = ("revenue", "结算金额", "总金额", "应收金额", "实收金额")
REVENUE_AMOUNTS = ("金额", "维修金额", "合计金额", "合计")  # a total unless a named one is there
REVENUE_PARTS = ("工时费", "材料费", "配件费", "工时金额", "材料金额", "配件金额", "管理费")

# A unit in brackets after a header names no other column: 进厂里程(km), 结算金额（元）.
# Only units that leave the number as it is: 结算金额(万元) is not read as yuan.
_UNIT = re.compile(r"[(（\[【](km|公里|千米|元|人民币|rmb|cny|¥|￥)[)）\]】]$")


def _normal(header) -> str:
    return _UNIT.sub("", str(header or "").strip().lower().replace(" ", ""))


def match_headers(kind: str, headers: list) -> tuple[dict[str, int], list[Column]]:
    """Each known column's position in `headers`, and the required columns missing."""
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
    if kind == "customers" and "phone" not in positions and "landline" in positions:
        missing = [c for c in missing if c.name != "phone"]  # a landline is still a number
    if kind == "vehicles" and not {"customer_code", "phone", "landline"} & positions.keys():
        missing.append(Column("customer_code or phone", ("客户编号", "手机")))
    return positions, missing


def map_headers(kind: str, headers: list, filename: str, where: str = "") -> dict[str, int]:
    """Map each known column to its position in `headers`; fail when a required one is missing.

    `where` names the row read as the header ("row 3"), so a file whose header was not
    found says which line was taken for it.
    """
    positions, missing = match_headers(kind, headers)
    if missing:
        names = ", ".join(f"{c.name} ({c.aliases[0]})" if c.aliases else c.name for c in missing)
        read = f" in {where} ({_preview(headers)!r}), read as the header" if where else ""
        raise UsageError(f"{filename} has no column for {names}{read}; is this a {kind} file?")
    if kind == "visits":
        revenue = revenue_column(headers, filename)
        if revenue is not None:
            positions["revenue"] = revenue
    return positions


def revenue_column(headers: list, filename: str) -> int | None:
    """The position of the order's total, None when the file has no amount at all.

    A named total (结算金额, 总金额, 应收金额) wins over a bare 金额; two totals, or only
    labour and parts, are ambiguous and refused before any row is read.
    """
    normal = [_normal(h) for h in headers]
    for spellings in (REVENUE_TOTALS, REVENUE_AMOUNTS):
        found = [i for i, header in enumerate(normal) if header in spellings]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(str(headers[i]).strip() for i in found)
            raise UsageError(
                f"{filename} has {len(found)} amount columns ({names}) and revenue must be "
                "one of them: keep the order's total and delete or rename the others"
            )
    parts = [str(headers[i]).strip() for i, header in enumerate(normal) if header in REVENUE_PARTS]
    if parts:
        raise UsageError(
            f"{filename} has {', '.join(parts)} but no total column such as 结算金额: revenue "
            "is the order's total, so add that column (or delete these to import without revenue)"
        )
    return None


def _preview(headers: list) -> str:
    text = ", ".join(str(h).strip() for h in headers if h is not None and str(h).strip())
    return text if len(text) <= 60 else text[:59] + "…"

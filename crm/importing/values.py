"""Reading one cell of a dealer export: dates, numbers, yes/no, in their usual spellings.

Each parser takes what the file held (text from a CSV; text, numbers or dates from
Excel) and returns a clean value or raises `BadValue` with the reason for the rejects file.
Phones are read by `crm.vocabulary.phones`, shared with the call desk and the SMS opt-out,
which raises the same `BadValue`.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from crm.models import BirthdayCalendar, CustomerStatus, Gender, ServiceType
from crm.vocabulary import lunar
from crm.vocabulary.phones import BadValue, parse_phone


def text(value) -> str | None:
    """The cell as stripped text, or None when blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    return result or None


# Excel's way to keep a code's leading zeros: the cell holds the formula ="C0101", and a
# CSV saved from it keeps the formula's text. Inside, "" is one quote.
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def excel_text(value):
    """A cell written as Excel's ="C0101" read as its text, C0101; any other cell as it is."""
    if isinstance(value, str):
        match = _EXCEL_TEXT.match(value.strip())
        if match:
            return match[1].replace('""', '"')
    return value


def optional(parse, warnings: list[str], *args):
    """`parse(*args)`, or None with a warning when the cell cannot be read.

    For cells a row can do without (gender, birthday): 未知 or 0000-00-00 must not cost
    the customer, and with them their cars and visits.
    """
    try:
        return parse(*args)
    except BadValue as exc:
        warnings.append(f"{exc}: stored without it")
        return None


def contact_phone(cells: dict, region: str, warnings: list[str]) -> str:
    """The row's number: its mobile, else its landline (a fixed line gets calls, no SMS)."""
    mobile, landline = cells.get("phone"), cells.get("landline")
    if text(mobile) is None:
        return parse_phone(landline, region)
    try:
        return parse_phone(mobile, region)
    except BadValue as exc:
        if text(landline) is None:
            raise
        number = parse_phone(landline, region)
        warnings.append(f"{exc}; the landline {number} is kept instead")
        return number


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
# Excel serials that land between 1900 and 2100; anything else is not a date.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = range(1, 73051)


def ymd(value, field: str) -> tuple[int, int, int]:
    """The year, month and day a cell spells, not yet checked against a calendar."""
    if isinstance(value, datetime):
        return value.year, value.month, value.day
    if isinstance(value, date):
        return value.year, value.month, value.day
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            # 20260305 typed into a number cell: the digits spell the date.
            return ymd(str(int(value)), field)
        return _from_serial(value, field)
    raw = text(value)
    if raw is None:
        raise BadValue(f"missing {field}")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            return tuple(int(part) for part in match.groups())  # type: ignore[return-value]
    if re.fullmatch(r"\d{1,5}(\.\d+)?", raw):
        return _from_serial(float(raw), field)
    raise BadValue(f"invalid date {raw!r} in {field} (use 2026-03-05)")


def _from_serial(serial: float, field: str) -> tuple[int, int, int]:
    if int(serial) not in _SERIAL_RANGE:
        raise BadValue(f"invalid date {serial!r} in {field} (use 2026-03-05)")
    day = _EXCEL_EPOCH + timedelta(days=int(serial))
    return day.year, day.month, day.day


def solar_date(value, field: str) -> date:
    """A Gregorian date in any of the accepted spellings."""
    year, month, day = ymd(value, field)
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(f"invalid date {text(value)!r} in {field}") from None


def past_date(value, field: str, today: date) -> date:
    """A date that must not lie after the store's today."""
    result = solar_date(value, field)
    if result > today:
        raise BadValue(f"{field} {result.isoformat()} is in the future")
    return result


def birthday(value, calendar: str, today: date, leap: bool = False) -> date:
    """The solar date of birth; a lunar birthday is read as a lunar date and converted.

    A lunar leap month is written with 闰 before the month (`1984-闰10-05`,
    `1984年闰10月5日`) or flagged in the `birthday_leap_month` column.
    """
    year, month, day, marked = birthday_parts(value)
    if calendar == BirthdayCalendar.SOLAR:
        if marked or leap:
            raise BadValue(f"a leap month (闰) is only in a lunar birthday: {text(value)!r}")
        return past_date(value, "birthday", today)
    try:
        result = lunar.to_solar(year, month, day, leap or marked)
    except lunar.OutOfRange:
        raise BadValue(
            f"lunar birthday {text(value)!r} is outside the {lunar.RANGE_TEXT}"
        ) from None
    except ValueError as exc:
        raise BadValue(f"invalid lunar date {text(value)!r} in birthday ({exc})") from None
    if result > today:
        raise BadValue(f"birthday {result.isoformat()} is in the future")
    return result


def birthday_parts(value) -> tuple[int, int, int, bool]:
    """The year, month and day of a birthday cell, and whether it marks a leap month (闰)."""
    raw = value if isinstance(value, str) else None
    if raw is not None and raw.count("闰") == 1:
        return (*ymd(raw.replace("闰", ""), "birthday"), True)
    return (*ymd(value, "birthday"), False)


_CALENDARS = {
    "solar": BirthdayCalendar.SOLAR,
    "公历": BirthdayCalendar.SOLAR,
    "阳历": BirthdayCalendar.SOLAR,
    "新历": BirthdayCalendar.SOLAR,
    "lunar": BirthdayCalendar.LUNAR,
    "农历": BirthdayCalendar.LUNAR,
    "阴历": BirthdayCalendar.LUNAR,
    "旧历": BirthdayCalendar.LUNAR,
}


def calendar(value) -> str | None:
    """solar or lunar, or None when blank (the stored calendar then stands)."""
    raw = text(value)
    if raw is None:
        return None
    if raw.lower() in _CALENDARS:
        return _CALENDARS[raw.lower()]
    if raw.lower() in _YES:  # a "农历生日?" column holding 是/否
        return BirthdayCalendar.LUNAR
    if raw.lower() in _NO:
        return BirthdayCalendar.SOLAR
    raise BadValue(f"unknown birthday calendar {raw!r} (solar/公历 or lunar/农历)")


_YES = {"yes", "y", "true", "1", "是", "同意", "允许", "√", "✓"}
_NO = {"no", "n", "false", "0", "否", "不同意", "拒绝", "×", "✗"}


def yes_no(value, field: str) -> bool | None:
    """A consent-style flag, or None when blank."""
    raw = text(value)
    if raw is None:
        return None
    if raw.lower() in _YES:
        return True
    if raw.lower() in _NO:
        return False
    raise BadValue(f"{field} {raw!r} is neither yes nor no")


_GENDERS = {
    "male": Gender.MALE,
    "m": Gender.MALE,
    "男": Gender.MALE,
    "先生": Gender.MALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "女": Gender.FEMALE,
    "女士": Gender.FEMALE,
}


def gender(value) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        return _GENDERS[raw.lower()]
    except KeyError:
        raise BadValue(f"unknown gender {raw!r} (男/女)") from None


_STATUSES = {
    "active": CustomerStatus.ACTIVE,
    "正常": CustomerStatus.ACTIVE,
    "在用": CustomerStatus.ACTIVE,
    "有效": CustomerStatus.ACTIVE,
    "lost": CustomerStatus.LOST,
    "流失": CustomerStatus.LOST,
    "已流失": CustomerStatus.LOST,
    "已换车": CustomerStatus.LOST,
    "已卖车": CustomerStatus.LOST,
    "deceased": CustomerStatus.DECEASED,
    "已故": CustomerStatus.DECEASED,
    "去世": CustomerStatus.DECEASED,
    "已去世": CustomerStatus.DECEASED,
    "死亡": CustomerStatus.DECEASED,
}


def customer_status(value) -> str | None:
    """A status column: 正常, 流失 (or 已换车), 已故; another word is unreadable."""
    raw = text(value)
    if raw is None:
        return None
    try:
        return str(_STATUSES[raw.lower()])
    except KeyError:
        raise BadValue(f"unknown customer status {raw!r} (正常/流失/已故)") from None


MAX_REVENUE_YUAN = 100_000_000  # 1亿: far above any repair order, far inside 64-bit fen
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def _number(value, field: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value) if abs(value) < 1e300 else math.inf
    else:
        raw = text(value)
        if raw is None:
            raise BadValue(f"missing {field}")
        cleaned = re.sub(r"[,，\s¥￥元]|km|公里", "", raw, flags=re.IGNORECASE)
        if not _NUMBER.match(cleaned) or len(cleaned) > 30:
            raise BadValue(f"{field} {raw[:40]!r} is not a number")
        number = float(cleaned)
    if not math.isfinite(number):  # Excel's 1e999 arrives as infinity
        raise BadValue(f"{field} {str(value)[:40]!r} is not a finite number")
    return number


def kilometres(value) -> int:
    km = _number(value, "odometer_km")
    if km < 0 or km > 2_000_000:
        raise BadValue(f"odometer_km {text(value)!r} is not a plausible reading")
    return round(km)


def money_cents(value) -> int | None:
    """An amount in yuan as integer fen, or None when blank."""
    if text(value) is None:
        return None
    amount = _number(value, "revenue")
    if amount < 0:
        raise BadValue(f"revenue {text(value)!r} is negative")
    if amount > MAX_REVENUE_YUAN:
        raise BadValue(f"revenue {text(value)[:40]!r} is more than one visit can cost")
    return round(amount * 100)


_SERVICE_TYPES = {
    **{kind.value: kind.value for kind in ServiceType},
    "首保": ServiceType.FIRST_SERVICE,
    "首次保养": ServiceType.FIRST_SERVICE,
    "免费保养": ServiceType.FIRST_SERVICE,
    "定保": ServiceType.MAINTENANCE,
    "保养": ServiceType.MAINTENANCE,
    "常规保养": ServiceType.MAINTENANCE,
    "定期保养": ServiceType.MAINTENANCE,
    "维修": ServiceType.REPAIR,
    "一般维修": ServiceType.REPAIR,
    "故障维修": ServiceType.REPAIR,
    "机修": ServiceType.REPAIR,
    "保修": ServiceType.WARRANTY,
    "索赔": ServiceType.WARRANTY,
    "三包": ServiceType.WARRANTY,
    "钣喷": ServiceType.BODYWORK,
    "钣金": ServiceType.BODYWORK,
    "喷漆": ServiceType.BODYWORK,
    "钣金喷漆": ServiceType.BODYWORK,
    "事故车": ServiceType.BODYWORK,
    "事故维修": ServiceType.BODYWORK,
    "其他": ServiceType.OTHER,
    "其它": ServiceType.OTHER,
    # What service desks type besides: a sensible kind for each.
    "召回": ServiceType.WARRANTY,  # the maker pays, as for a warranty repair
    "召回维修": ServiceType.WARRANTY,
    "保险": ServiceType.BODYWORK,  # an insurance job is accident repair
    "保险理赔": ServiceType.BODYWORK,
    "保险维修": ServiceType.BODYWORK,
    "理赔": ServiceType.BODYWORK,
    "小修": ServiceType.REPAIR,
    "快修": ServiceType.REPAIR,
    "返修": ServiceType.REPAIR,
    "大修": ServiceType.REPAIR,
    "快保": ServiceType.MAINTENANCE,
    "小保养": ServiceType.MAINTENANCE,
    "大保养": ServiceType.MAINTENANCE,
    "pdi": ServiceType.OTHER,  # the pre-delivery inspection, before the customer has the car
    "美容": ServiceType.OTHER,
    "装潢": ServiceType.OTHER,
    "精品": ServiceType.OTHER,
}
# A combined order (首保+维修) is the kind that says most about the car's schedule: a
# first service or maintenance done is what the reminders count from.
_FIRST_OF = (
    ServiceType.FIRST_SERVICE,
    ServiceType.MAINTENANCE,
    ServiceType.WARRANTY,
    ServiceType.REPAIR,
    ServiceType.BODYWORK,
    ServiceType.OTHER,
)
_COMBINED = re.compile(r"\s*[+＋/、,，&]\s*")


def service_type(value) -> str:
    raw = text(value)
    if raw is None:
        raise BadValue("missing service_type")
    known = _SERVICE_TYPES.get(raw.lower())
    if known is not None:
        return str(known)
    parts = {_SERVICE_TYPES.get(part.lower()) for part in _COMBINED.split(raw) if part}
    if parts and None not in parts:
        return str(next(kind for kind in _FIRST_OF if kind in parts))
    raise BadValue(
        f"unknown service type {raw!r} (first_service/首保, maintenance/保养, repair/维修, "
        "warranty/保修, bodywork/钣喷, other/其他)"
    )


# ISO 3779: 17 characters, no I, O or Q (they read as 1 and 0).
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def vin(value) -> str:
    raw = text(value)
    if raw is None:
        raise BadValue("missing vin")
    cleaned = raw.replace(" ", "").upper()
    if not _VIN.match(cleaned):
        raise BadValue(f"invalid VIN {raw!r} (17 letters and digits, no I, O or Q)")
    return cleaned


def plate(value) -> str | None:
    raw = text(value)
    return None if raw is None else re.sub(r"[\s·.\-]", "", raw).upper()

"""The stored codes as people read them: kinds, complaint categories, departments, types.

One table for every front end and the report, so a Chinese page or summary never shows
`waiting_time` or `after_sales`, and a person may type the Chinese word where a code is
asked for (`code_of`). An unknown code (a department a store configured in its own
words, say) shows as itself.
"""

from __future__ import annotations

# fmt: off
NAMES: dict[str, dict[str, str]] = {
    "zh_CN": {
        # Task kinds (crm.vocabulary.kinds).
        "sales_callback": "七日内销售回访",
        "service_callback": "三日内售后回访",
        "care_call": "30日电话关怀",
        "first_service_sms": "首保提醒",
        "first_service_call": "首保邀约",
        "maintenance_call": "定保提醒",
        "birthday_sms": "生日祝福",
        "anniversary_sms": "购车纪念日",
        "holiday_sms": "节日祝福",
        "campaign_sms": "活动邀约",
        "campaign_call": "活动邀约电话",
        "lapsed_call": "流失预警回访",
        "reminder_fallback": "补发提醒",
        "complaint_followup": "投诉跟进",
        "complaint_confirmation": "投诉确认",
        # Complaint categories.
        "vehicle_quality": "车辆质量",
        "service_quality": "维修质量",
        "waiting_time": "等待维修时间过长",
        "staff_attitude": "服务态度",
        "price": "价格",
        "parts": "配件",
        "sales": "销售",
        "other": "其他",
        # Departments (complaints.departments) beyond the categories' own words.
        "after_sales": "售后部",
        "customer_service": "客服部",
        "service": "售后服务",
        # Service types.
        "first_service": "首保",
        "maintenance": "保养",
        "repair": "维修",
        "warranty": "保修",
        "bodywork": "钣金喷漆",
        # Inquiry topics.
        "model": "车型",
        "promotion": "促销活动",
        "complaint": "投诉",
    },
    "en": {
        "sales_callback": "7-day sales callback",
        "service_callback": "3-day service callback",
        "care_call": "30-day care call",
        "first_service_sms": "first-service reminder",
        "first_service_call": "first-service invitation",
        "maintenance_call": "maintenance reminder",
        "birthday_sms": "birthday greeting",
        "anniversary_sms": "purchase anniversary",
        "holiday_sms": "holiday greeting",
        "campaign_sms": "campaign",
        "campaign_call": "campaign call",
        "lapsed_call": "win-back call",
        "reminder_fallback": "fallback reminder",
        "complaint_followup": "complaint follow-up",
        "complaint_confirmation": "complaint confirmation",
        "first_service": "first service",
        "customer_service": "customer service",
        "after_sales": "after-sales",
    },
}
# fmt: on

# Other words people use for a complaint category on the command line.
CATEGORY_WORDS = {
    "质量": "vehicle_quality",
    "车辆问题": "vehicle_quality",
    "等待时间": "waiting_time",
    "等待维修": "waiting_time",
    "态度": "staff_attitude",
    "服务态度差": "staff_attitude",
    "收费": "price",
    "价格问题": "price",
    "配件问题": "parts",
    "其它": "other",
}


def name(code: str, locale: str) -> str:
    """The display name of a stored code in `locale`; an unknown code shows as itself."""
    found = NAMES.get(locale, {}).get(code)
    if found is not None:
        return found
    return code.replace("_", " ") if locale == "en" else code


def code_of(word: str, codes: list[str], synonyms: dict[str, str] | None = None) -> str | None:
    """The code among `codes` that `word` names: the code itself, its name in any
    locale, or a synonym; None when it names none of them."""
    typed = " ".join(word.split()).strip()
    if typed.lower() in codes:
        return typed.lower()
    for code in codes:
        if any(typed == names.get(code) for names in NAMES.values()):
            return code
        if typed.lower() == code.replace("_", " "):
            return code
    found = (synonyms or {}).get(typed)
    return found if found in codes else None

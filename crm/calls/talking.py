"""What the agent says: the point of each call in the store's language.

The task's `reason` says why the call is owed (for the record); these lines say
what to ask, with the numbers the agent needs in front of them.
"""

from __future__ import annotations

from datetime import date

from crm.vocabulary.names import name

LABELS = {
    "zh_CN": {
        "sales_callback": "交车回访",
        "care_call": "30日关怀",
        "first_service_call": "首保邀约",
        "service_callback": "维修回访",
        "maintenance_call": "定保提醒",
        "campaign_call": "活动邀约",
        "lapsed_call": "流失预警",
        "complaint_followup": "投诉跟进",
        "complaint_confirmation": "投诉确认",
    },
    "en": {
        "sales_callback": "delivery callback",
        "care_call": "30-day care",
        "first_service_call": "first service",
        "service_callback": "service callback",
        "maintenance_call": "maintenance",
        "campaign_call": "campaign",
        "lapsed_call": "win-back",
        "complaint_followup": "complaint",
        "complaint_confirmation": "confirm fix",
    },
}

ASK = {
    "zh_CN": {
        "sales_callback": "询问对新车、交车过程和销售顾问的满意度（1-5分）",
        "care_call": "询问用车情况和当前里程（记下里程），提醒首保：{first_service_on}前后或行驶{first_service_km}公里，以先到者为准",
        "first_service_call": "邀请{first_service_on}前后回店免费首保（首保里程{first_service_km}公里），可当场预约",
        "service_callback": "询问{visit_date}{service_type}的维修质量和服务满意度（1-5分）",
        "maintenance_call": "预计{predicted_on}需要保养{last_service}{pace}，邀请预约",
        "campaign_call": "邀请参加“{campaign}”",
        "lapsed_call": "{lapse}，了解原因（搬家、换车或去了别家？），邀请回店保养并记下当前里程",
        "complaint_followup": "告知投诉处理进展（{category}，{department}）：{text}",
        "complaint_confirmation": "确认问题是否已解决（处理结果：{resolution}），并记录客户是否确认已解决",
    },
    "en": {
        "sales_callback": "ask how satisfied they are with the car, the delivery and the consultant (1-5)",
        "care_call": "ask how the car is used and its mileage now (note it); mention the first service: around {first_service_on} or at {first_service_km} km, whichever comes first",
        "first_service_call": "invite them for the free first service around {first_service_on} ({first_service_km} km); book it on the call",
        "service_callback": "ask about the {service_type} visit on {visit_date}: quality and satisfaction (1-5)",
        "maintenance_call": "maintenance predicted for {predicted_on}{last_service}{pace}; offer a booking",
        "campaign_call": 'invite them to "{campaign}"',
        "lapsed_call": "{lapse}: ask why (moved, sold the car, another garage?), invite them in for maintenance and note the mileage",
        "complaint_followup": "tell them how their complaint is progressing ({category}, {department}): {text}",
        "complaint_confirmation": "ask whether it is solved (resolution: {resolution}); record whether they confirm it",
    },
}

# When the date a call names has passed, the line must not speak of it as ahead.
PAST = {
    "zh_CN": {
        "first_service_call": "首保时间（{first_service_on}）已过，请尽快回店免费首保（首保里程{first_service_km}公里），可当场预约",
        "maintenance_call": "预计保养日期（{predicted_on}）已过{late_days}天，请尽快回店保养{last_service}{pace}，可当场预约",
    },
    "en": {
        "first_service_call": "the first service was due on {first_service_on} ({first_service_km} km): invite them in as soon as they can; book it on the call",
        "maintenance_call": "maintenance was due on {predicted_on}, {late_days} days ago{last_service}{pace}: invite them in soon; book it on the call",
    },
}
# A call planned before its facts were recorded says what it can without them.
WITHOUT = {
    "zh_CN": {"care_call": "询问用车情况和当前里程（记下里程），提醒首保时间"},
    "en": {
        "care_call": "ask how the car is used and its mileage now (note it); mention the first service"
    },
}

SERVICE_TYPES = {
    "zh_CN": {
        "first_service": "首保",
        "maintenance": "保养",
        "repair": "维修",
        "warranty": "保修",
        "bodywork": "钣喷",
        "other": "服务",
    },
}

NOTES = {
    "zh_CN": ("职业", "爱好", "家庭"),
    "en": ("occupation", "hobbies", "family"),
}


def label(kind: str, locale: str) -> str:
    return LABELS.get(locale, LABELS["en"]).get(kind, kind)


def ask(kind: str, locale: str, facts: dict, today: date | None = None) -> str:
    """The line to say for a call of `kind` on `today`, filled from `facts` ('?' if missing).

    A date in the past is said as past ("首保时间已过，请尽快回店"), never as ahead.
    """
    template = ASK.get(locale, ASK["en"]).get(kind)
    if template is None:
        return ""
    facts = dict(facts)
    for coded in ("category", "department"):  # a complaint's codes, in the store's words
        if facts.get(coded):
            facts[coded] = name(facts[coded], locale)
    if kind == "care_call" and "first_service_on" not in facts:
        template = WITHOUT.get(locale, WITHOUT["en"])[kind]
    named = facts.get("first_service_on") or facts.get("predicted_on")
    if today is not None and named and kind in PAST["en"]:
        try:
            late = (today - date.fromisoformat(named)).days
        except ValueError:
            late = 0
        if late > 0:
            template = PAST.get(locale, PAST["en"])[kind]
            facts["late_days"] = late
    if kind == "lapsed_call":
        facts["lapse"] = _lapse(facts, locale)
    if kind == "campaign_call":
        template += _invitation(facts, locale)
    if kind == "service_callback" and facts.get("maintenance_due"):
        template += _maintenance_too(facts["maintenance_due"], locale, today)
    last_km = facts.get("last_service_km")
    if last_km:
        facts["last_service"] = (
            f"（上次保养{last_km}公里）"
            if locale == "zh_CN"
            else f" (last service at {last_km} km)"
        )
    else:
        facts["last_service"] = ""
    if "service_type" in facts:
        names = SERVICE_TYPES.get(locale, {})
        facts["service_type"] = names.get(facts["service_type"], facts["service_type"])
    pace = facts.get("pace_km_day")
    if pace:
        facts["pace"] = (
            f"（约{pace:.0f}公里/天）" if locale == "zh_CN" else f" (about {pace:.0f} km/day)"
        )
    else:
        facts["pace"] = ""
    return template.format_map(_Missing(facts))


def notes(occupation: str | None, hobbies: str | None, family: str | None, locale: str) -> str:
    """The customer's personal notes, one line: what makes the call personal."""
    names = NOTES.get(locale, NOTES["en"])
    parts = [
        f"{name}: {value}" if locale != "zh_CN" else f"{name}：{value}"
        for name, value in zip(names, (occupation, hobbies, family), strict=True)
        if value
    ]
    return "；".join(parts) if locale == "zh_CN" else "; ".join(parts)


def _maintenance_too(due: str, locale: str, today: date | None) -> str:
    """The maintenance reminder said on the service callback (one call, not two)."""
    past = today is not None and due <= today.isoformat()
    if locale == "zh_CN":
        return (
            "；另：车辆已超过保养里程，请顺便邀约保养"
            if past
            else f"；另：预计{due}需要保养，请顺便邀约"
        )
    return (
        "; also: the car is past its maintenance, invite them in"
        if past
        else f"; also: maintenance is due around {due}, invite them in"
    )


INVITATION = {
    "zh_CN": (("when", "时间"), ("where", "地点"), ("offer", "优惠")),
    "en": (("when", "when"), ("where", "where"), ("offer", "offer")),
}


def _invitation(facts: dict, locale: str) -> str:
    """A campaign call's date, place and offer, as given at launch (literal text, no fields)."""
    words = INVITATION.get(locale, INVITATION["en"])
    parts = [
        f"{word}{'：' if locale == 'zh_CN' else ': '}{facts[key]}"
        for key, word in words
        if facts.get(key)
    ]
    if not parts:
        return ""
    text = ("，" if locale == "zh_CN" else "; ").join(parts)
    # Braces in what the manager typed must not read as the line's own fields.
    text = text.replace("{", "{{").replace("}", "}}")
    return f"（{text}）" if locale == "zh_CN" else f" ({text})"


def _lapse(facts: dict, locale: str) -> str:
    """Why the car counts as lapsed, in words: months away, or maintenance overdue."""
    chinese = locale == "zh_CN"
    if facts.get("overdue_days"):
        return (
            f"保养已逾期{facts['overdue_days']}天（预计{facts.get('predicted_on', '?')}）"
            if chinese
            else f"maintenance {facts['overdue_days']} days overdue (due {facts.get('predicted_on', '?')})"
        )
    since = facts.get("last_visit") or facts.get("delivered")
    what = "上次进店" if facts.get("last_visit") else "交车"
    return (
        f"已{facts.get('months', '?')}个月未回店（{what}{since}）"
        if chinese
        else f"not in for {facts.get('months', '?')} months (last {'visit' if facts.get('last_visit') else 'delivery'} {since})"
    )


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"

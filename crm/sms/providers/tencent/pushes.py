"""What Tencent pushes to us, read: delivery reports (状态回执) and replies (短信回复).

Plain functions of the request body, so the web receivers are thin: read the body,
call these, act as `crm sms sync` does, answer `ANSWER`. Tencent signs nothing, so the
receivers sit behind a secret path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crm.sms.providers.base import BadPush, Inbound, PushedReport, Report
from crm.sms.providers.tencent.errors import number_problem
from crm.sms.providers.tencent.sender import china_time

ANSWER = {"result": 0, "errmsg": "OK"}  # what Tencent expects back, or it pushes again
# The secret in the receivers' path (/webhooks/tencent/report/TOKEN): the pushes are unsigned.
TOKEN_VARIABLE = "TENCENT_SMS_PUSH_TOKEN"


def parsed(body: bytes | str, kind: str):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadPush(f"a Tencent {kind} push must be JSON; this is not") from None


def pushed_time(value):
    """A report's China time; one Tencent did not write as 2026-03-01 10:00:00 is a bad push."""
    try:
        return china_time(value)
    except (TypeError, ValueError):
        raise BadPush(
            "a Tencent delivery report's user_receive_time must read like 2026-03-01 10:00:00"
        ) from None


def e164(nation: str | None, mobile: str) -> str:
    mobile = str(mobile).strip()
    return mobile if mobile.startswith("+") else f"+{nation or '86'}{mobile}"


def reports(body: bytes | str) -> list[PushedReport]:
    """Each delivery report (a JSON array); `sid` is the SerialNo SendSms answered with."""
    payload = parsed(body, "delivery report")
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise BadPush("a Tencent delivery report push must be a JSON array of objects")
    found = []
    for item in payload:
        missing = [k for k in ("sid", "mobile", "report_status") if not item.get(k)]
        if missing:
            raise BadPush(f"a Tencent delivery report lacks {', '.join(missing)}")
        delivered = item["report_status"] == "SUCCESS"
        code = None if delivered else str(item.get("errmsg") or "UNKNOWN")
        report = Report(
            item["sid"],
            "delivered" if delivered else "undelivered",
            error_code=code[:64] if code else None,
            error_message=(item.get("description") or code) if code else None,
            created_at=pushed_time(item.get("user_receive_time")),
            number_problem=number_problem(code),
        )
        found.append(
            PushedReport(e164(item.get("nationcode"), item["mobile"]), item["sid"], report)
        )
    return found


def replies(body: bytes | str) -> list[Inbound]:
    """The reply (one JSON object a push); its number and time name it."""
    item = parsed(body, "reply")
    if not isinstance(item, dict):
        raise BadPush("a Tencent reply push must be one JSON object")
    missing = [k for k in ("mobile", "text", "time") if item.get(k) in (None, "")]
    if missing:
        raise BadPush(f"a Tencent reply lacks {', '.join(missing)}")
    try:
        received = datetime.fromtimestamp(int(item["time"]), UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # a year past 9999 overflows
        raise BadPush("a Tencent reply's time must be a Unix time in seconds") from None
    phone = e164(item.get("nationcode"), item["mobile"])
    key = f"tencent-{phone}-{int(item['time'])}"
    return [Inbound(key, phone, None, str(item["text"]), received)]

"""What Aliyun pushes to us, read: delivery reports (SmsReport) and replies (SmsUp).

Plain functions of the request body, so the web receivers are thin: read the body,
call these, act as `crm sms sync` does, answer `ANSWER`. Aliyun pushes a JSON array
and signs nothing, so the receivers sit behind a secret path.
"""

from __future__ import annotations

import hashlib
import json

from crm.sms.providers.aliyun.sender import china_time
from crm.sms.providers.base import BadPush, Inbound, PushedReport, Report

ANSWER = {"code": 0, "msg": "成功"}  # what Aliyun expects back, or it pushes again
# The secret in the receivers' path (/webhooks/aliyun/report/TOKEN): the pushes are unsigned.
TOKEN_VARIABLE = "ALIYUN_SMS_PUSH_TOKEN"


def records(body: bytes | str, kind: str, needed: tuple[str, ...]) -> list[dict]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadPush(f"an Aliyun {kind} push must be JSON; this is not") from None
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise BadPush(f"an Aliyun {kind} push must be a JSON array of objects")
    for item in payload:
        missing = [key for key in needed if item.get(key) in (None, "")]
        if missing:
            raise BadPush(f"an Aliyun {kind} lacks {', '.join(missing)}")
    return payload


def pushed_time(value, kind: str):
    """A push's China time; one Aliyun did not write as 2026-03-01 10:00:00 is a bad push."""
    try:
        return china_time(value)
    except (TypeError, ValueError):
        raise BadPush(f"an Aliyun {kind}'s send_time must read like 2026-03-01 10:00:00") from None


def e164(phone: str) -> str:
    phone = str(phone).strip()
    return phone if phone.startswith("+") else "+86" + phone.removeprefix("86")[-11:]


def reports(body: bytes | str) -> list[PushedReport]:
    """Each delivery report; the row is the one with this BizId and number."""
    found = []
    for item in records(body, "delivery report", ("phone_number", "biz_id", "success")):
        delivered = item["success"] in (True, "true", "True", 1)
        code = None if delivered else str(item.get("err_code") or "UNKNOWN")
        report = Report(
            f"{item['biz_id']}:",
            "delivered" if delivered else "undelivered",
            error_code=code[:64] if code else None,
            error_message=(item.get("err_msg") or code) if code else None,
            created_at=pushed_time(item.get("send_time"), "delivery report"),
        )
        found.append(PushedReport(e164(item["phone_number"]), f"{item['biz_id']}:", report))
    return found


def replies(body: bytes | str) -> list[Inbound]:
    """Each reply; Aliyun's sequence_id names it once for all its retries."""
    found = []
    for item in records(body, "reply", ("phone_number", "content", "send_time")):
        key = (
            item.get("sequence_id")
            or hashlib.sha1(
                f"{item['phone_number']}|{item['send_time']}|{item['content']}".encode()
            ).hexdigest()[:24]
        )
        found.append(
            Inbound(
                f"aliyun-{key}",
                e164(item["phone_number"]),
                None,
                str(item["content"]),
                pushed_time(item["send_time"], "reply"),
            )
        )
    return found

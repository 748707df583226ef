"""What Twilio posts to us, checked and read: status callbacks and replies.

Twilio signs each webhook with the account's auth token (`X-Twilio-Signature`, an
HMAC of the URL it called and the form); the twilio library's RequestValidator checks
it. Twilio calls the public address, so the URL checked is `web.public_url` plus the
path and query, not the one the reverse proxy hands the console.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import datetime

from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from crm.sms.providers.base import BadPush, Inbound, PushedReport, Report
from crm.sms.providers.twilio.errors import number_problem
from crm.sms.providers.twilio.sender import STATUSES

TOKEN_VARIABLE = "TWILIO_AUTH_TOKEN"
# The answer to a reply: an empty <Response/>, so Twilio sends nothing back.
EMPTY_TWIML = str(MessagingResponse())


def token_set(environ: Mapping = os.environ) -> bool:
    return bool(environ.get(TOKEN_VARIABLE))


def signed(url: str, form, signature: str | None, environ: Mapping = os.environ) -> bool:
    """True when `signature` is Twilio's for this URL and form under the account's token."""
    token = environ.get(TOKEN_VARIABLE)
    if not token or not signature:
        return False
    return RequestValidator(token).validate(url, form, signature)


def status_report(form) -> PushedReport | None:
    """The status callback as a report; None for a step before `sent` (queued, sending),
    which says nothing the outbox does not already know."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    twilio_status = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid or not twilio_status:
        raise BadPush("a Twilio status callback carries MessageSid and MessageStatus")
    if twilio_status == "sent":
        status = "sent"
    elif twilio_status in STATUSES:
        status = STATUSES[twilio_status]
    else:
        return None
    code = form.get("ErrorCode") or None
    try:
        price = abs(float(form["Price"])) if form.get("Price") else None
    except ValueError:
        raise BadPush("a Twilio status callback's Price must be a number") from None
    if price is not None and not math.isfinite(price):
        raise BadPush("a Twilio status callback's Price must be a finite number")
    report = Report(
        sid,
        status,
        error_code=code,
        error_message=f"Twilio error {code}" if code else None,
        price=price,
        price_unit=form.get("PriceUnit") or None,
        number_problem=number_problem(code),
    )
    return PushedReport(form.get("To") or "", sid, report)


def reply(form, received_at: datetime) -> Inbound:
    """An inbound message: who wrote what, to which of our numbers."""
    sid, from_phone = form.get("MessageSid") or form.get("SmsSid"), form.get("From")
    if not sid or not from_phone:
        raise BadPush("a Twilio inbound message carries MessageSid and From")
    return Inbound(sid, from_phone, form.get("To") or None, form.get("Body") or "", received_at)

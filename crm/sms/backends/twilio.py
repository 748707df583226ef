"""The Twilio sender: the real `twilio` client, its errors translated for the outbox.

The only module that imports twilio. `TWILIO_API_URL` points the client at any
Twilio-compatible server (a test server, a proxy): twilio-python always builds
https://api.twilio.com URLs, so a small HTTP client rewrites the host.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from crm.config import SmsSettings
from crm.errors import UsageError
from crm.sms.backends.base import Inbound, Outgoing, Report, SendError, Unknown

DEFAULT_API_URL = "https://api.twilio.com"
# Codes that say the number itself is wrong: never send to it again.
INVALID_NUMBER = {"21211": "invalid number", "21614": "not a mobile number", "30006": "landline"}
UNSUBSCRIBED = "21610"  # the customer replied STOP to this sender
STATUSES = {"delivered": "delivered", "read": "delivered", "undelivered": "undelivered"}
STATUSES |= {"failed": "failed", "canceled": "failed"}
LOOKBACK = 50  # the newest messages to one number searched when reconciling
CLOCK_SKEW = timedelta(minutes=5)


class HostRewritingClient(TwilioHttpClient):
    """Sends every request to `base_url` instead of api.twilio.com, keeping path and query."""

    def __init__(self, base_url: str, timeout: tuple[float, float]):
        super().__init__()
        self.base = urlsplit(base_url.rstrip("/"))
        # (connect, read): requests takes the pair; the base class only checks a number.
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        rewritten = urlunsplit(
            (self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, "")
        )
        return super().request(method, rewritten, *args, **kwargs)


def credentials(environ=os.environ) -> dict:
    """The Twilio settings from the environment, or a sentence naming what is missing."""
    needed = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    missing = [name for name in needed if not environ.get(name)]
    if not (environ.get("TWILIO_FROM") or environ.get("TWILIO_MESSAGING_SERVICE_SID")):
        missing.append("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        raise UsageError(
            f"sms.backend is twilio but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set; set them in the environment "
            'or use backend = "console"'
        )
    return {
        "sid": environ["TWILIO_ACCOUNT_SID"],
        "token": environ["TWILIO_AUTH_TOKEN"],
        "from_": environ.get("TWILIO_FROM") or None,
        "service": environ.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        "api_url": environ.get("TWILIO_API_URL") or DEFAULT_API_URL,
    }


class TwilioSender:
    name = "twilio"

    def __init__(self, settings: SmsSettings, environ=os.environ):
        self.config = credentials(environ)
        self.settings = settings
        self.timeout = (settings.connect_timeout_seconds, settings.read_timeout_seconds)
        self._local = threading.local()  # one client (one connection pool) per thread

    @property
    def client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            http = HostRewritingClient(self.config["api_url"], self.timeout)
            client = Client(self.config["sid"], self.config["token"], http_client=http)
            self._local.client = client
        return client

    def send(self, message: Outgoing) -> Report:
        options = {"to": message.to, "body": message.body}
        if self.config["service"]:
            options["messaging_service_sid"] = self.config["service"]
        else:
            options["from_"] = self.config["from_"]
        if self.settings.status_callback:
            options["status_callback"] = self.settings.status_callback
        try:
            return report(self.client.messages.create(**options), accepted=True)
        except TwilioRestException as exc:
            raise translate(exc) from None
        except requests.ConnectionError as exc:
            if never_left(exc):
                raise SendError(f"cannot reach Twilio: {exc}") from None
            raise SendError(f"no answer from Twilio: {exc}", maybe_sent=True) from None
        except requests.Timeout as exc:
            raise SendError(f"no answer from Twilio: {exc}", maybe_sent=True) from None

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        try:
            recent = self.client.messages.list(to=message.to, limit=LOOKBACK, page_size=LOOKBACK)
        except (TwilioException, requests.RequestException) as exc:
            raise Unknown(f"cannot read Twilio's message log: {exc}") from None
        for record in recent:
            if (
                record.body == message.body
                and (record.direction or "").startswith("outbound")
                and record.date_created
                and record.date_created >= claimed_at - CLOCK_SKEW
            ):
                return report(record)
        if len(recent) >= LOOKBACK:
            raise Unknown(f"more than {LOOKBACK} recent messages to {message.to}")
        return None

    def status(self, provider_id: str) -> Report:
        try:
            return report(self.client.messages(provider_id).fetch())
        except TwilioRestException as exc:
            raise translate(exc) from None
        except requests.RequestException as exc:
            raise SendError(f"cannot reach Twilio: {exc}") from None

    def inbound(self, since: datetime) -> list[Inbound]:
        # Replies are addressed to our number; a messaging service has several, so all.
        to = {"to": self.config["from_"]} if self.config["from_"] else {}
        try:
            records = self.client.messages.list(date_sent_after=since, page_size=1000, **to)
        except TwilioRestException as exc:
            raise translate(exc) from None
        except requests.RequestException as exc:
            raise SendError(f"cannot reach Twilio: {exc}") from None
        replies = [
            Inbound(r.sid, r.from_, r.to, r.body or "", r.date_sent or r.date_created)
            for r in reversed(records)  # Twilio lists newest first; act in arrival order
            if r.direction == "inbound"
        ]
        return sorted(replies, key=lambda reply: reply.received_at)


def report(record, accepted: bool = False) -> Report:
    """Our view of a Twilio message resource; a message just accepted counts as sent."""
    code = str(record.error_code) if record.error_code else None
    return Report(
        record.sid,
        "sent" if accepted else STATUSES.get(record.status, "sent"),
        error_code=code,
        error_message=record.error_message,
        segments=int(record.num_segments) if record.num_segments else None,
        price=abs(float(record.price)) if record.price else None,
        price_unit=record.price_unit,
        created_at=record.date_created,
        number_problem=number_problem(code),
    )


def number_problem(code: str | None) -> str | None:
    """What a Twilio error code says about the number, wherever it is reported."""
    if code in INVALID_NUMBER:
        return "invalid"
    return "opted_out" if code == UNSUBSCRIBED else None


def translate(exc: TwilioRestException) -> SendError:
    """Twilio's HTTP error as the outbox's: retry, give up on this number, or stop."""
    code = str(exc.code) if exc.code else None
    text = f"Twilio {exc.status}" + (f" error {code}" if code else "") + f": {exc.msg}"
    if exc.status == 429 or exc.status >= 500:
        return SendError(text, code)
    if exc.status in (401, 403):
        return SendError(
            f"{text}; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", code, fatal=True
        )
    return SendError(text, code, permanent=True, number_problem=number_problem(code))


def never_left(exc: requests.ConnectionError) -> bool:
    """True when the connection failed before any of the request was written."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(reason).__name__ in ("NewConnectionError", "NameResolutionError")

"""The Twilio sender: the real `twilio` client; its answers become verdicts (errors.py).

Only this folder imports twilio. `TWILIO_API_URL` points the client at any
Twilio-compatible server (a test server, a proxy): twilio-python always builds
https://api.twilio.com URLs, so a small HTTP client rewrites the host.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from crm.config import SmsSettings
from crm.errors import UsageError
from crm.sms.providers.base import Answer, Inbound, Outgoing, Report, Unknown, sent
from crm.sms.providers.twilio.errors import number_problem, reading_error, translate, unanswered

DEFAULT_API_URL = "https://api.twilio.com"
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
    api_url = environ.get("TWILIO_API_URL") or DEFAULT_API_URL
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"TWILIO_API_URL {api_url!r} is not an http(s) URL with a host; "
            f"unset it for {DEFAULT_API_URL} or give one like http://127.0.0.1:8080"
        )
    return {
        "sid": environ["TWILIO_ACCOUNT_SID"],
        "token": environ["TWILIO_AUTH_TOKEN"],
        "from_": environ.get("TWILIO_FROM") or None,
        "service": environ.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        "api_url": api_url,
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

    def send(self, message: Outgoing) -> Answer:
        options = {"to": message.to, "body": message.body}
        if self.config["service"]:
            options["messaging_service_sid"] = self.config["service"]
        else:
            options["from_"] = self.config["from_"]
        if self.settings.status_callback:
            options["status_callback"] = self.settings.status_callback
        try:
            return sent(report(self.client.messages.create(**options), accepted=True))
        except (TwilioRestException, TwilioServiceException) as exc:
            return translate(exc)
        except (requests.RequestException, TwilioException, ValueError) as exc:
            return unanswered(exc, self.config["api_url"])

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        try:
            recent = self.client.messages.list(to=message.to, limit=LOOKBACK, page_size=LOOKBACK)
        except (TwilioException, requests.RequestException, ValueError) as exc:
            raise Unknown(f"cannot read Twilio's message log: {reading_error(exc)}") from None
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

    def status(self, provider_id: str, to: str = "", sent_at: datetime | None = None) -> Report:
        try:
            return report(self.client.messages(provider_id).fetch())
        except (TwilioException, requests.RequestException, ValueError) as exc:
            raise reading_error(exc) from None

    def inbound(self, since: datetime) -> list[Inbound]:
        # Replies are addressed to our number; a messaging service has several, so all.
        to = {"to": self.config["from_"]} if self.config["from_"] else {}
        try:
            records = self.client.messages.list(date_sent_after=since, page_size=1000, **to)
        except (TwilioException, requests.RequestException, ValueError) as exc:
            raise reading_error(exc) from None
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

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
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from crm.config import SmsSettings
from crm.errors import UsageError
from crm.sms.backends.base import Inbound, Outgoing, Report, SendError, Unknown

DEFAULT_API_URL = "https://api.twilio.com"
# Codes that say the number itself is wrong: never send to it again.
INVALID_NUMBER = {"21211": "invalid number", "21614": "not a mobile number", "30006": "landline"}
UNSUBSCRIBED = "21610"  # the customer replied STOP to this sender
# This recipient or this text is refused; retrying cannot help, other messages go on.
REFUSED = {*INVALID_NUMBER, UNSUBSCRIBED}
REFUSED |= {"21265", "21266", "21408", "21602", "21604", "21612", "21617", "21619", "21635"}
REFUSED |= {"30003", "30004", "30005", "30007"}
CHECK_CREDENTIALS = "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
CHECK_FROM = "check TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"
# Every message would fail alike (the account, the sender number, the address): stop the
# run and keep the messages queued, without counting an attempt.
ACCOUNT = {"20003": CHECK_CREDENTIALS, "20005": "the Twilio account is not active"}
ACCOUNT |= {"20404": "check TWILIO_API_URL and TWILIO_ACCOUNT_SID"}
ACCOUNT |= dict.fromkeys(("21212", "21603", "21606", "21659", "21660"), CHECK_FROM)
ACCOUNT |= dict.fromkeys(("21701", "21703", "21704", "21705"), CHECK_FROM)
# Busy for now: the sender's queue is full (21611) or over its rate; try again later.
BUSY = {"20429", "21611", "30001", "14107"}
STATUSES = {"delivered": "delivered", "read": "delivered", "undelivered": "undelivered"}
STATUSES |= {"failed": "failed", "canceled": "failed"}
# Requests that cannot be built (a bad TWILIO_API_URL): nothing left, nothing will.
UNSENDABLE = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
)
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
        except (TwilioRestException, TwilioServiceException) as exc:
            raise translate(exc) from None
        except requests.ConnectionError as exc:
            if never_left(exc):
                raise SendError(f"cannot reach Twilio: {exc}") from None
            raise SendError(f"no answer from Twilio: {exc}", maybe_sent=True) from None
        except requests.Timeout as exc:
            raise SendError(f"no answer from Twilio: {exc}", maybe_sent=True) from None
        except UNSENDABLE as exc:
            # The request could not even be built: every message would fail alike.
            raise SendError(
                f"cannot send to TWILIO_API_URL {self.config['api_url']}: {exc}", fatal=True
            ) from None
        except (requests.RequestException, TwilioException, ValueError) as exc:
            # It left, and what came back is unreadable: only the provider's log can tell.
            raise SendError(f"unreadable answer from Twilio: {exc}", maybe_sent=True) from None

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

    def status(self, provider_id: str) -> Report:
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


def number_problem(code: str | None) -> str | None:
    """What a Twilio error code says about the number, wherever it is reported."""
    if code in INVALID_NUMBER:
        return "invalid"
    return "opted_out" if code == UNSUBSCRIBED else None


def reading_error(exc: Exception) -> SendError:
    """A failed read (status, replies, the log) as one sentence; bad credentials stop the run."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        return translate(exc)
    response = exc.args[1] if len(exc.args) > 1 else None  # a list page: (text, response)
    status = getattr(response, "status_code", None)
    if status is not None:
        text = f"Twilio {status} while reading messages"
        if status in (401, 403):
            return SendError(f"{text}; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", fatal=True)
        return SendError(text, fatal=status == 404)
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return SendError(f"cannot reach Twilio: {exc}")
    return SendError(f"unreadable answer from Twilio: {exc}", fatal=isinstance(exc, UNSENDABLE))


def translate(exc: TwilioRestException | TwilioServiceException) -> SendError:
    """Twilio's HTTP error as the outbox's: retry, give up on this message, or stop the run."""
    code = str(exc.code) if exc.code else None
    reason = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
    text = f"Twilio {exc.status}" + (f" error {code}" if code else "") + f": {reason}"
    if exc.status == 429 or exc.status >= 500 or code in BUSY:
        return SendError(text, code)
    if exc.status in (401, 403) or code in ACCOUNT:
        return SendError(f"{text}; {ACCOUNT.get(code, CHECK_CREDENTIALS)}", code, fatal=True)
    if code in REFUSED:
        return SendError(text, code, permanent=True, number_problem=number_problem(code))
    # A code we do not know is most likely the account's or the request's, not this
    # recipient's: stop and keep every message queued rather than fail them one by one.
    return SendError(f"{text}; see the code at twilio.com/docs/errors", code, fatal=True)


def never_left(exc: requests.ConnectionError) -> bool:
    """True when the connection failed before any of the request was written."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(reason).__name__ in ("NewConnectionError", "NameResolutionError")

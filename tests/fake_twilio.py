"""A local HTTP server that speaks Twilio's Messages API, for tests and `make bench`.

Real HTTP, real JSON shapes: the product's real twilio client talks to it through
TWILIO_API_URL. It keeps every message it accepted (the log reconciliation reads),
can be told to fail the next requests (429, 500, a timeout after accepting) or to
refuse a number (21211, 21610, 21614), and holds inbound replies for `crm sms sync`.

Run alone: `python tests/fake_twilio.py [--port N] [--delay SECONDS]` prints its URL.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import sys
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-token"
FROM_NUMBER = "+15005550006"
ERRORS = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    20500: (500, "Internal Server Error"),
    21212: (400, "The 'From' number is not a valid phone number, shortcode, or alphanumeric"),
    21408: (400, "Permission to send an SMS has not been enabled for the region"),
    21611: (400, "This 'From' number has exceeded the maximum number of queued messages"),
    21999: (400, "A code this product has never heard of"),
}


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_filter_date(value: str) -> datetime:
    value = value.lstrip("<>=")
    if "T" in value:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)


class QuietServer(ThreadingHTTPServer):
    """A client killed mid-request (as the workers' tests and bench do) is expected: its
    reset connection is not printed as a traceback; any other error still is."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


class FakeTwilio:
    """The server's state; `start()` serves it on 127.0.0.1 in a daemon thread."""

    def __init__(self, delay: float = 0.0):
        self.lock = threading.Lock()
        self.messages: list[dict] = []  # every message, oldest first (outbound and inbound)
        self.by_sid: dict[str, dict] = {}
        # The next POSTs: "429", "500", "timeout", "garbage" (accepted, unreadable answer),
        # or a Twilio error code ("21212") refusing it.
        self.script: deque[str] = deque()
        self.refuse: dict[str, int] = {}  # To number -> Twilio error code
        self.delay = delay  # seconds between accepting a message and answering
        self.timeout_sleep = 3.0
        self.in_flight = 0
        self.posts = 0
        self._server: ThreadingHTTPServer | None = None

    # -- what tests arrange and inspect ------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def outbound(self, to: str | None = None) -> list[dict]:
        with self.lock:
            return [
                m
                for m in self.messages
                if m["direction"] == "outbound-api" and (to is None or m["to"] == to)
            ]

    def fail_next(self, *actions: str) -> None:
        self.script.extend(actions)

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        with self.lock:
            message = self.by_sid[sid]
            message.update(status=status, error_code=error_code, date_updated=rfc2822(now()))
            if status == "delivered":
                message.update(price="-0.04780", price_unit="USD")

    def receive(self, from_: str, body: str, to: str = FROM_NUMBER) -> dict:
        """A customer's reply arrives."""
        return self._store(to=to, from_=from_, body=body, direction="inbound", status="received")

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no request is being handled (a killed client's last request included)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.in_flight == 0:
                return
            time.sleep(0.02)
        raise TimeoutError("the fake Twilio server is still busy")

    # -- serving -----------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTwilio:
        state = self

        class Handler(TwilioHandler):
            fake = state

        self._server = QuietServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _store(self, to, from_, body, direction, status, service=None) -> dict:
        moment = now()
        sid = "SM" + uuid.uuid4().hex
        message = {
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": rfc2822(moment),
            "date_sent": rfc2822(moment) if direction == "inbound" else None,
            "date_updated": rfc2822(moment),
            "direction": direction,
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": status,
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
            "_created": moment,
        }
        with self.lock:
            self.messages.append(message)
            self.by_sid[sid] = message
        return message


def now() -> datetime:
    return datetime.now(UTC)


def public(message: dict) -> dict:
    """The JSON Twilio would send: without the server's own bookkeeping keys."""
    return {k: v for k, v in message.items() if not k.startswith("_")}


def segments(body: str) -> int:
    units = len(body.encode("utf-16-le")) // 2
    if body.isascii():
        return 1 if units <= 160 else -(-units // 153)
    return 1 if units <= 70 else -(-units // 67)


_page_tokens = itertools.count(1)


class TwilioHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as api.twilio.com
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall
    fake: FakeTwilio

    def log_message(self, *args) -> None:  # quiet
        pass

    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(public(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: int) -> None:
        status, message = ERRORS[code]
        self._reply(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _authorised(self) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._error(20003)
            return False
        return True

    def _route(self) -> tuple[str, str | None]:
        path = urlsplit(self.path).path
        prefix = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages"
        if path == prefix + ".json":
            return "list", None
        if path.startswith(prefix + "/") and path.endswith(".json"):
            return "one", path[len(prefix) + 1 : -5]
        return "unknown", None

    def _busy(self, step: int) -> None:
        with self.fake.lock:
            self.fake.in_flight += step

    def do_POST(self) -> None:
        self._busy(1)
        try:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            if len(raw) < length:
                # The client died mid-request (a SIGKILL): like Twilio, create nothing.
                self.close_connection = True
                return None
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if not self._authorised():
                return
            if self._route()[0] != "list":
                return self._error(20404)
            self.fake.posts += 1
            action = self.fake.script.popleft() if self.fake.script else None
            if action == "429":
                return self._error(20429)
            if action == "500":
                return self._error(20500)
            if action and action.isdigit():
                return self._error(int(action))
            to = form.get("To", "")
            if to in self.fake.refuse:
                return self._error(self.fake.refuse[to])
            message = self.fake._store(
                to=to,
                from_=form.get("From"),
                body=form.get("Body", ""),
                direction="outbound-api",
                status="accepted" if form.get("MessagingServiceSid") else "queued",
                service=form.get("MessagingServiceSid"),
            )
            message["_status_callback"] = form.get("StatusCallback")
            if action == "garbage":  # accepted, and the answer is cut short
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b'{"sid": "')
                return None
            if action == "timeout":
                time.sleep(self.fake.timeout_sleep)  # accepted, but the client gives up
            elif self.fake.delay:
                time.sleep(self.fake.delay)
            self._reply(201, message)
        finally:
            self._busy(-1)

    def do_GET(self) -> None:
        self._busy(1)
        try:
            if not self._authorised():
                return
            route, sid = self._route()
            if route == "one":
                message = self.fake.by_sid.get(sid)
                return self._reply(200, message) if message else self._error(20404)
            if route == "list":
                return self._list()
            self._error(20404)
        finally:
            self._busy(-1)

    def _list(self) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        with self.fake.lock:
            rows = list(reversed(self.fake.messages))  # newest first, as Twilio lists
        for field, key in (("to", "To"), ("from", "From")):
            if key in query:
                rows = [m for m in rows if m[field] == query[key]]
        if "DateSent>" in query:
            since = parse_filter_date(query["DateSent>"])
            rows = [m for m in rows if m["date_sent"] and m["_created"] >= since]
        if "DateSent<" in query:
            until = parse_filter_date(query["DateSent<"])
            rows = [m for m in rows if m["date_sent"] and m["_created"] <= until]
        size = int(query.get("PageSize", 50))
        page = int(query.get("Page", 0))
        chunk = rows[page * size : (page + 1) * size]
        base = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        more = (page + 1) * size < len(rows)
        next_query = urlencode({k: v for k, v in query.items() if k not in ("Page", "PageToken")})
        self._reply(
            200,
            {
                "messages": [public(m) for m in chunk],
                "end": page * size + len(chunk) - 1,
                "first_page_uri": f"{base}?PageSize={size}&Page=0",
                "next_page_uri": (
                    f"{base}?{next_query}&Page={page + 1}&PageToken=PA{next(_page_tokens)}"
                    if more
                    else None
                ),
                "page": page,
                "page_size": size,
                "previous_page_uri": None,
                "start": page * size,
                "uri": self.path,
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    options = parser.parse_args()
    fake = FakeTwilio(delay=options.delay).start(options.port)
    print(fake.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()

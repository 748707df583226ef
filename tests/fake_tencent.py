"""A local HTTP server that speaks Tencent Cloud SMS (2021-01-11), for tests and `make bench`.

It answers what the official Python SDK sends: a JSON POST to `/`, the action in
`X-TC-Action`, signed with TC3-HMAC-SHA256 over content-type and host; the server checks
the signature with the SecretKey, as Tencent does. It keeps every message it accepted
and its delivery report (PullSmsSendStatusByPhoneNumber), holds replies for
PullSmsReplyStatus, and can be told to fail the next requests (an error code, a timeout
after accepting, an unreadable answer) or to refuse a number with a code.

Run alone: `python tests/fake_tencent.py [--port N]` prints its URL.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID = "AKID-test"
SECRET_KEY = "test-key"
SDK_APP_ID = "1400000001"
CHINA = timezone(timedelta(hours=8))


def tc3_signature(secret_key, date, string_to_sign) -> str:
    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencent:
    """The server's state; `start()` serves it on 127.0.0.1 in a daemon thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[dict] = []  # every message accepted, with its delivery report
        self.replies: deque[dict] = deque()  # handed out once each, as Tencent's queue
        self.script: deque[str] = deque()  # the next sends: a code, "timeout", "garbage"
        self.refuse: dict[str, str] = {}  # +86 number -> error code
        self.requests: list[dict] = []  # what arrived: action, body, headers
        self.timeout_sleep = 1.0
        self.delay = 0.0  # seconds between accepting a send and answering
        self.in_flight = 0
        self.serials = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def outbound(self, phone: str | None = None) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if phone is None or m["PhoneNumber"] == phone]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no request is being answered (a killed client's last ones have landed)."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)

    def fail_next(self, *actions: str) -> None:
        self.script.extend(actions)

    def receive(self, phone: str, text: str) -> None:
        now = datetime.now(CHINA)
        reply = {
            "ExtendCode": "",
            "CountryCode": "86",
            "SubscriberNumber": phone.removeprefix("+86"),
            "PhoneNumber": phone,
            "SignName": "",
            "ReplyContent": text,
            "ReplyTime": now.strftime("%Y-%m-%d %H:%M:%S"),
        }
        with self.lock:
            self.replies.append(reply)

    def start(self, port: int = 0) -> FakeTencent:
        class Handler(TencentHandler):
            pass

        Handler.fake = self
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class TencentHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    fake: FakeTencent

    def log_message(self, *args) -> None:  # quiet
        pass

    def reply(self, response: dict) -> None:
        response = {**response, "RequestId": f"req-{next(self.fake.serials)}"}
        body = json.dumps({"Response": response}, ensure_ascii=False).encode()
        self.send_response(200)  # Tencent answers errors with 200 and Response.Error
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, code: str, message: str = "") -> None:
        self.reply({"Error": {"Code": code, "Message": message or code}})

    def authorised(self, raw: bytes) -> bool:
        found = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
            r"SignedHeaders=content-type;host, Signature=([0-9a-f]+)",
            self.headers.get("Authorization", ""),
        )
        if not found:
            self.error("AuthFailure.SignatureFailure", "no TC3-HMAC-SHA256 Authorization")
            return False
        secret_id, date, signature = found.groups()
        if secret_id != SECRET_ID:
            self.error("AuthFailure.SecretIdNotFound", "The SecretId is not found")
            return False
        timestamp = self.headers.get("X-TC-Timestamp", "0")
        if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
            self.error("AuthFailure.SignatureFailure", "the date does not match the timestamp")
            return False
        canonical = "\n".join(
            [
                "POST",
                "/",
                "",
                f"content-type:{self.headers.get('Content-Type')}\nhost:{self.headers.get('Host')}\n",
                "content-type;host",
                hashlib.sha256(raw).hexdigest(),
            ]
        )
        scope = f"{date}/sms/tc3_request"
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        if not hmac.compare_digest(tc3_signature(SECRET_KEY, date, to_sign), signature):
            self.error(
                "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
            )
            return False
        return True

    def do_POST(self) -> None:
        with self.fake.lock:
            self.fake.in_flight += 1
        try:
            self.answer()
        finally:
            with self.fake.lock:
                self.fake.in_flight -= 1

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        if len(raw) < length:
            self.close_connection = True  # the client died mid-request: nothing happens
            return
        action = self.headers.get("X-TC-Action", "")
        body = json.loads(raw or b"{}")
        with self.fake.lock:
            self.fake.requests.append(
                {"action": action, "body": body, "headers": dict(self.headers)}
            )
        if not self.authorised(raw):
            return
        if self.headers.get("X-TC-Version") != "2021-01-11":
            return self.error("InvalidParameterValue", "the version is not 2021-01-11")
        if body.get("SmsSdkAppId") != SDK_APP_ID:
            return self.error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist")
        handler = {
            "SendSms": self.send_sms,
            "PullSmsSendStatusByPhoneNumber": self.pull_status,
            "PullSmsReplyStatus": self.pull_replies,
        }.get(action)
        if handler is None:
            return self.error("InvalidAction", f"The action {action} does not exist")
        handler(body)

    def send_sms(self, body: dict) -> None:
        action = self.fake.script.popleft() if self.fake.script else None
        if action and action not in ("timeout", "garbage"):
            return self.error(action)
        phones = body.get("PhoneNumberSet") or []
        if not 0 < len(phones) <= 200 or not body.get("SignName") or not body.get("TemplateId"):
            return self.error("InvalidParameterValue", "1-200 numbers, a SignName, a TemplateId")
        statuses = []
        for phone in phones:
            if phone in self.fake.refuse:
                code = self.fake.refuse[phone]
                statuses.append(
                    {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "Code": code, "Message": code}
                )
                continue
            serial = f"2433:{next(self.fake.serials):010d}"
            message = {
                "SerialNo": serial,
                "PhoneNumber": phone,
                "TemplateId": body["TemplateId"],
                "TemplateParamSet": body.get("TemplateParamSet") or [],
                "SignName": body["SignName"],
                "SessionContext": body.get("SessionContext", ""),
                "_at": datetime.now(UTC),
                "ReportStatus": "SUCCESS",
                "Description": "DELIVRD",
            }
            with self.fake.lock:
                self.fake.messages.append(message)
            statuses.append(
                {
                    "SerialNo": serial,
                    "PhoneNumber": phone,
                    "Fee": 1,
                    "SessionContext": body.get("SessionContext", ""),
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        if action == "garbage":  # accepted, and the answer is cut short
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "13")
            self.end_headers()
            self.wfile.write(b'{"Response": ')
            return
        if action == "timeout":
            time.sleep(self.fake.timeout_sleep)  # accepted, but the client gives up
        elif self.fake.delay:
            time.sleep(self.fake.delay)
        self.reply({"SendStatusSet": statuses})

    def pull_status(self, body: dict) -> None:
        begin = datetime.fromtimestamp(int(body.get("BeginTime", 0)), UTC)
        end = datetime.fromtimestamp(int(body.get("EndTime", 2**31)), UTC) + timedelta(seconds=1)
        rows = [m for m in self.fake.outbound(body.get("PhoneNumber")) if begin <= m["_at"] <= end]
        offset, limit = int(body.get("Offset", 0)), int(body.get("Limit", 100))
        self.reply(
            {
                "PullSmsSendStatusSet": [
                    {
                        "UserReceiveTime": m["_at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                        "CountryCode": "86",
                        "SubscriberNumber": m["PhoneNumber"].removeprefix("+86"),
                        "PhoneNumber": m["PhoneNumber"],
                        "SerialNo": m["SerialNo"],
                        "ReportStatus": m["ReportStatus"],
                        "Description": m["Description"],
                        "SessionContext": m["SessionContext"],
                    }
                    for m in rows[offset : offset + limit]
                ]
            }
        )

    def pull_replies(self, body: dict) -> None:
        limit = int(body.get("Limit", 100))
        with self.fake.lock:
            taken = [self.fake.replies.popleft() for _ in range(min(limit, len(self.fake.replies)))]
        self.reply({"PullSmsReplyStatusSet": taken})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    fake = FakeTencent().start(parser.parse_args().port)
    print(fake.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()

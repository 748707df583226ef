"""A local HTTP server that speaks Aliyun's dysmsapi (2017-05-25), for tests and `make bench`.

It answers what the official Python SDK sends: an RPC-style POST to `/`, the action in
`x-acs-action`, the parameters in the query (SendBatchSms's lists in a form body), signed
with ACS3-HMAC-SHA256 in `Authorization`; the server checks that signature with the
secret, as Aliyun does. It keeps every message it accepted (QuerySendDetails reads
them), can be told to answer the next requests with an error code, a timeout after
accepting, or an unreadable answer, and to refuse a number with a code.

Run alone: `python tests/fake_aliyun.py [--port N]` prints its URL.
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
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

ACCESS_KEY_ID = "LTAI-test-key"
ACCESS_KEY_SECRET = "test-secret"
CHINA = timezone(timedelta(hours=8))
SLOT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# HTTP-level errors the SDK raises; every other code comes back with HTTP 200.
HTTP_ERRORS = {
    "InvalidAccessKeyId.NotFound": 404,
    "SignatureDoesNotMatch": 400,
    "Throttling.User": 400,
    "isp.SYSTEM_ERROR": 500,
}


def canonical_query(query: dict[str, str]) -> str:
    return "&".join(f"{k}={quote(query[k], safe='~')}" for k in sorted(query))


def expected_signature(method, path, query, headers, signed, payload_hash) -> str:
    """ACS3-HMAC-SHA256 as Aliyun computes it from what arrived."""
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    canonical = "\n".join(
        [method, path or "/", canonical_query(query), canonical_headers, ";".join(signed)]
    )
    canonical += "\n" + payload_hash
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(ACCESS_KEY_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


class FakeAliyun:
    """The server's state; `start()` serves it on 127.0.0.1 in a daemon thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[dict] = []  # every message accepted, oldest first
        self.templates: dict[str, str] = {}  # code -> approved text, to write Content
        self.script: deque[str] = deque()  # the next sends: a code, "timeout", "garbage"
        self.refuse: dict[str, str] = {}  # national number -> error code
        self.requests: list[dict] = []  # what arrived: action, query, form, headers
        self.timeout_sleep = 1.0
        self.delay = 0.0  # seconds between accepting a send and answering
        self.in_flight = 0
        self.calls = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def outbound(self, phone: str | None = None) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if phone is None or m["PhoneNum"] == phone]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no request is being answered (a killed client's last ones have landed)."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)

    def fail_next(self, *actions: str) -> None:
        self.script.extend(actions)

    def set_status(self, out_id: str, status: int, err_code: str = "DELIVERED") -> None:
        with self.lock:
            for message in self.messages:
                if message["OutId"] == out_id:
                    message["SendStatus"], message["ErrCode"] = status, err_code

    def start(self, port: int = 0) -> FakeAliyun:
        fake = self

        class Handler(AliyunHandler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def store(self, phone, sign, code, params, out_id, biz_id) -> dict:
        text = SLOT.sub(lambda m: str(params.get(m.group(1), "")), self.templates.get(code, ""))
        message = {
            "PhoneNum": phone,
            "SendStatus": 3,  # delivered at once: the fake's carrier never fails
            "ErrCode": "DELIVERED",
            "TemplateCode": code,
            "Content": f"【{sign}】{text}",
            "SendDate": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "ReceiveDate": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "OutId": out_id,
            "_biz": biz_id,
            "_params": params,
        }
        with self.lock:
            self.messages.append(message)
        return message


class AliyunHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    fake: FakeAliyun

    def log_message(self, *args) -> None:  # quiet
        pass

    def reply(self, payload: dict, status: int = 200) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, code: str, message: str = "") -> None:
        payload = {"RequestId": f"req-{next(self.fake.calls)}", "Code": code}
        payload["Message"] = message or code
        self.reply(payload, HTTP_ERRORS.get(code, 200))

    def authorised(self, query: dict, raw: bytes) -> bool:
        auth = self.headers.get("Authorization", "")
        found = re.fullmatch(
            r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)",
            auth,
        )
        if not found:
            self.error("IncompleteSignature", "no ACS3-HMAC-SHA256 Authorization header")
            return False
        key, signed, signature = found.groups()
        if key != ACCESS_KEY_ID:
            self.error("InvalidAccessKeyId.NotFound", "Specified access key is not found.")
            return False
        payload_hash = hashlib.sha256(raw).hexdigest()
        headers = {k.lower(): v for k, v in self.headers.items()}
        if headers.get("x-acs-content-sha256") != payload_hash:
            self.error("SignatureDoesNotMatch", "the body's hash does not match")
            return False
        path = urlsplit(self.path).path
        wanted = expected_signature("POST", path, query, headers, signed.split(";"), payload_hash)
        if not hmac.compare_digest(wanted, signature):
            self.error("SignatureDoesNotMatch", "Specified signature is not matched.")
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
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        action = self.headers.get("x-acs-action", "")
        with self.fake.lock:
            self.fake.requests.append(
                {"action": action, "query": query, "form": form, "headers": dict(self.headers)}
            )
        if not self.authorised(query, raw):
            return
        if self.headers.get("x-acs-version") != "2017-05-25":
            return self.error("InvalidVersion", "Specified parameter Version is not valid.")
        handler = {
            "SendSms": self.send_sms,
            "SendBatchSms": self.send_batch,
            "QuerySendDetails": self.query,
        }.get(action)
        if handler is None:
            return self.error("InvalidAction.NotFound", f"Specified api {action} is not found")
        handler({**query, **form})

    def scripted(self) -> str | None:
        return self.fake.script.popleft() if self.fake.script else None

    def accept(self, action, biz_id) -> None:
        """The answer to an accepted send, or what the script says instead."""
        payload = {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "req-ok"}
        if action == "garbage":  # accepted, and the answer is cut short
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b'{"Code": ')
            return
        if action == "timeout":
            time.sleep(self.fake.timeout_sleep)  # accepted, but the client gives up
        elif self.fake.delay:
            time.sleep(self.fake.delay)
        self.reply(payload)

    def send_sms(self, params: dict) -> None:
        action = self.scripted()
        if action and action not in ("timeout", "garbage"):
            return self.error(action)
        phone = params.get("PhoneNumbers", "")
        if not params.get("SignName") or not params.get("TemplateCode"):
            return self.error("isv.INVALID_PARAMETERS", "SignName and TemplateCode are required")
        if phone in self.fake.refuse:
            return self.error(self.fake.refuse[phone])
        values = json.loads(params.get("TemplateParam") or "{}")
        biz_id = f"{next(self.fake.calls):012d}^0"
        self.fake.store(
            phone, params["SignName"], params["TemplateCode"], values, params.get("OutId"), biz_id
        )
        self.accept(action, biz_id)

    def send_batch(self, params: dict) -> None:
        action = self.scripted()
        if action and action not in ("timeout", "garbage"):
            return self.error(action)
        phones = json.loads(params.get("PhoneNumberJson", "[]"))
        signs = json.loads(params.get("SignNameJson", "[]"))
        values = json.loads(params.get("TemplateParamJson", "[]"))
        if not 0 < len(phones) <= 100 or not len(phones) == len(signs) == len(values):
            return self.error("isv.INVALID_PARAMETERS", "1-100 numbers, one sign and params each")
        refused = [self.fake.refuse[p] for p in phones if p in self.fake.refuse]
        if refused:
            return self.error(refused[0])  # one bad number refuses the whole call
        biz_id = f"{next(self.fake.calls):012d}^0"
        for phone, sign, slot_values in zip(phones, signs, values, strict=True):
            self.fake.store(
                phone, sign, params["TemplateCode"], slot_values, params.get("OutId"), biz_id
            )
        self.accept(action, biz_id)

    def query(self, params: dict) -> None:
        day = params.get("SendDate", "")
        rows = [
            m
            for m in self.fake.outbound(params.get("PhoneNumber"))
            if m["SendDate"].replace("-", "")[:8] == day
            and (not params.get("BizId") or m["_biz"] == params["BizId"])
        ]
        size, page = int(params.get("PageSize", 10)), int(params.get("CurrentPage", 1))
        chunk = rows[(page - 1) * size : page * size]
        public = [{k: v for k, v in m.items() if not k.startswith("_")} for m in chunk]
        self.reply(
            {
                "Code": "OK",
                "Message": "OK",
                "RequestId": "req-query",
                "TotalCount": str(len(rows)),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": public},
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    fake = FakeAliyun().start(parser.parse_args().port)
    print(fake.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()

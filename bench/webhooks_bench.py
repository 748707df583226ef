"""Twilio's webhooks against a real `crm serve` on SQLite, over HTTP on loopback.

1. 1,000 status callbacks, each signed as Twilio signs it, posted by 20 concurrent
   clients, each for its own message (9 in 10 delivered, 1 in 10 undelivered with an
   error code): the rate (target: at least 200 a second), then every row counted, so
   no update is lost.
2. A reply of TD from each of 20 customers, one at a time: how long from posting it
   until the database shows the customer opted out and their queued message cancelled
   (target: within a second).

`python bench/run.py webhooks` runs only this step.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CALLBACKS = 1_000
CLIENTS = 20
REPLIES = 20
TOKEN = "bench-twilio-auth-token"
STATUS = "/webhooks/twilio/status"
INBOUND = "/webhooks/twilio/inbound"


def bench_webhooks(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db = f"sqlite:///{workdir / 'webhooks.db'}"
    config = workdir / "webhooks.toml"
    # Twilio signs the public address; here the console is its own public address.
    config.write_text(f'[web]\npublic_url = "{base}"\n', encoding="utf-8")
    subprocess.run(
        [PYTHON, str(ROOT / "cli.py"), "--db", db, "init"], check=True, capture_output=True
    )
    sids, repliers = seed(db)
    callbacks = signed_callbacks(base, sids)
    with serving(db, config, port) as server:
        cpu_before = cpu_seconds(server.pid)
        took, failures = post_all(base, callbacks)
        cpu = cpu_seconds(server.pid) - cpu_before
        rate = len(callbacks) / took
        print(
            f"webhooks: {len(callbacks):,} Twilio status callbacks by {CLIENTS} clients in "
            f"{took:.2f} s = {rate:,.0f} a second (target >= 200) on SQLite; the server's "
            f"CPU {cpu * 1000 / len(callbacks):.1f} ms a callback "
            f"(= {len(callbacks) / cpu:,.0f} a second on one free core), load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            + (f"; {len(failures)} FAILED, first: {failures[0]}" if failures else "")
        )
        check_no_update_lost(db, callbacks)
        latencies = [opted_out_after(base, db, phone, n) for n, phone in enumerate(repliers)]
    print(
        f"webhooks: a TD reply to opted out in the database: median "
        f"{statistics.median(latencies) * 1000:.0f} ms, slowest {max(latencies) * 1000:.0f} ms "
        f"of {len(latencies)} (target < 1 s)"
    )


def seed(db: str) -> tuple[list[str], list[str]]:
    """CALLBACKS sent messages with Twilio sids, and REPLIES customers with a queued one."""
    from datetime import UTC, datetime

    from crm import db as database
    from crm.models import Customer, SmsMessage

    now = datetime.now(UTC)
    engine = database.make_engine(db)
    with database.session(engine) as session:
        people = [
            Customer(store_id=1, customer_code=f"W{n:06d}", name="王伟", phone=f"+86139{n:08d}")
            for n in range(CALLBACKS + REPLIES)
        ]
        session.add_all(people)
        session.flush()
        sids = [f"SM{n:032x}" for n in range(CALLBACKS)]
        session.add_all(
            SmsMessage(
                store_id=1,
                customer_id=person.id,
                kind="first_service_sms",
                category="service",
                subject=f"vehicle:{person.id}",
                cycle="delivery",
                to_phone=person.phone,
                body="王先生您好，您的爱车已到首保时间，欢迎来电预约。",
                reason="bench",
                status="sent" if n < CALLBACKS else "queued",
                provider_sid=sids[n] if n < CALLBACKS else None,
                sent_at=now if n < CALLBACKS else None,
            )
            for n, person in enumerate(people)
        )
        session.commit()
    engine.dispose()
    return sids, [person.phone for person in people[CALLBACKS:]]


def signed_callbacks(base: str, sids: list[str]) -> list[tuple[dict, str]]:
    """Each callback's form and its signature, computed before the clock starts."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    signed = []
    for n, sid in enumerate(sids):
        form = {"MessageSid": sid, "MessageStatus": "delivered", "To": "+8613900000000"}
        if n % 10 == 9:
            form |= {"MessageStatus": "undelivered", "ErrorCode": "30003"}
        signed.append((form, validator.compute_signature(base + STATUS, form)))
    return signed


def post_all(base: str, callbacks: list[tuple[dict, str]]) -> tuple[float, list[str]]:
    """Post every callback from CLIENTS threads at once; the wall time and any failures.

    The clients are plain http.client connections kept alive, bodies encoded beforehand:
    on a shared two-core machine the load generator should take as little of the CPU the
    server is measured on as it can (Twilio's own machines are elsewhere)."""
    failures: list[str] = []
    start = threading.Barrier(CLIENTS + 1)
    address = urlsplit(base)

    def client(share: list[tuple[dict, str]]) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        posts = [
            (form["MessageSid"], urlencode(form), {**FORM_HEADERS, "X-Twilio-Signature": sig})
            for form, sig in share
        ]
        start.wait()
        for sid, body, headers in posts:
            try:
                connection.request("POST", STATUS, body, headers)
                answer = connection.getresponse()
                answer.read()
                if answer.status != 200:
                    failures.append(f"{sid}: HTTP {answer.status}")
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"{sid}: {type(exc).__name__} {exc}")
                connection.close()
        connection.close()

    threads = [
        threading.Thread(target=client, args=(callbacks[i::CLIENTS],)) for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, failures


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def check_no_update_lost(db: str, callbacks: list[tuple[dict, str]]) -> None:
    from sqlalchemy import func, select

    from crm import db as database
    from crm.models import SmsMessage

    expected = {"delivered": 0, "undelivered": 0}
    for form, _ in callbacks:
        expected[form["MessageStatus"]] += 1
    engine = database.make_engine(db)
    with database.session(engine) as session:
        found = dict(
            session.execute(
                select(SmsMessage.status, func.count())
                .where(SmsMessage.provider_sid.is_not(None))
                .group_by(SmsMessage.status)
            ).all()
        )
        coded = session.execute(
            select(func.count()).where(SmsMessage.error_code == "30003")
        ).scalar()
    engine.dispose()
    lost = expected["delivered"] - found.get("delivered", 0)
    lost += expected["undelivered"] - found.get("undelivered", 0)
    print(
        f"webhooks: rows delivered {found.get('delivered', 0):,} of {expected['delivered']:,}, "
        f"undelivered {found.get('undelivered', 0):,} of {expected['undelivered']:,} "
        f"(error code kept on {coded:,}): "
        + ("no update lost" if lost == 0 and coded == expected["undelivered"] else "UPDATES LOST")
    )


def opted_out_after(base: str, db: str, phone: str, n: int) -> float:
    """Seconds from posting a TD reply until the database shows the opt-out done."""
    from sqlalchemy import select
    from twilio.request_validator import RequestValidator

    from crm import db as database
    from crm.models import Customer, SmsMessage

    form = {"MessageSid": f"SMreply{n:026x}", "From": phone, "To": "+15005550006", "Body": "TD"}
    signature = RequestValidator(TOKEN).compute_signature(base + INBOUND, form)
    headers = {**FORM_HEADERS, "X-Twilio-Signature": signature}
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    engine = database.make_engine(db)
    with engine.connect():
        pass  # the reader's connection is open before the clock starts
    began = time.perf_counter()
    connection.request("POST", INBOUND, urlencode(form), headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    if answer.status != 200:
        sys.exit(f"the TD reply was answered HTTP {answer.status}")
    while True:
        with database.session(engine) as session:
            consent = session.execute(
                select(Customer.sms_consent).where(Customer.phone == phone)
            ).scalar()
            queued = session.execute(
                select(SmsMessage.id)
                .join(Customer, Customer.id == SmsMessage.customer_id)
                .where(Customer.phone == phone, SmsMessage.status == "queued")
            ).first()
        if consent is False and queued is None:
            break
        if time.perf_counter() - began > 10:
            sys.exit(f"{phone} was not opted out 10 s after replying TD")
        time.sleep(0.005)
    took = time.perf_counter() - began
    engine.dispose()
    return took


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds the process has used (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(db: str, config: Path, port: int):
    """`crm serve` on `port` with the bench's Twilio token and settings; its process."""
    env = os.environ | {"CRM_SECRET_KEY": "bench-" + "x" * 40, "TWILIO_AUTH_TOKEN": TOKEN}
    command = [PYTHON, str(ROOT / "cli.py"), "--db", db, "--config", str(config)]
    server = subprocess.Popen([*command, "serve", "--port", str(port)], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit("crm serve did not start")
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit("crm serve did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)

"""A sender killed mid-batch (SIGKILL, a real process) sends every message exactly once
through Aliyun's and Tencent's batch calls, once reconciliation has queried the provider."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from sqlalchemy import update
from sqlmodel import select

from crm.models import SmsMessage, Store
from tests.factories import add_customer, add_message
from tests.sms.conftest import ALIYUN_APPROVED, TENCENT_APPROVED, midday_zone, notice
from tests.sms.test_crash import crm

MESSAGES = 60
PROVIDER = {
    "aliyun": ('[sms.aliyun]\nsign_name = "示例汽车"\n', ALIYUN_APPROVED),
    "tencent": (
        '[sms.tencent]\nsign_name = "示例汽车"\nsdk_app_id = "1400000001"\n'
        "report_wait_seconds = 0\n",  # the fake reports at once: no report means never sent
        TENCENT_APPROVED,
    ),
}


def config_text(backend: str) -> str:
    section, approved = PROVIDER[backend]
    registry = ""
    for name, entry in approved.items():
        registry += f'[sms.approved.{name}]\ncode = "{entry["code"]}"\n'
        registry += f'category = "{entry["category"]}"\ntext = "{entry["text"]}"\n'
        if entry.get("slots"):
            slots = ", ".join(f'"{k}" = "{v}"' for k, v in entry["slots"].items())
            registry += f"slots = {{ {slots} }}\n"
    return (
        f'[sms]\nbackend = "{backend}"\nopt_out_line = "拒收请回复R"\n'
        # Two calls a second of ten numbers each: the kill lands with the first call held
        # by the server and the next ones claimed but never sent.
        "rate_per_second = 2.0\nconcurrency = 2\n"
        "connect_timeout_seconds = 1.0\nread_timeout_seconds = 5.0\nreconcile_after_seconds = 6\n"
        + section
        + registry
    )


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_a_sender_killed_mid_batch_sends_every_message_exactly_once(
    database_url, session, tmp_path, request, backend
):
    fake = request.getfixturevalue(f"fake_{backend}")
    env = request.getfixturevalue(f"{backend}_env")
    session.execute(update(Store).values(timezone=midday_zone()))
    session.commit()
    phones = set()
    for _ in range(MESSAGES):
        customer = add_customer(session)
        # Tencent batches numbers that share slot values: the same text for everyone.
        add_message(session, customer, body=notice("尊敬的客户"))
        phones.add(customer.phone)
    config = tmp_path / "config.toml"
    config.write_text(config_text(backend), encoding="utf-8")
    fake.delay = 0.3  # slow answers: the kill lands while a call is in flight

    sender = crm(database_url, config, env, "sms", "send")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (len(fake.outbound()) >= 10 and fake.in_flight >= 1):
        time.sleep(0.005)
    sender.kill()  # SIGKILL: no cleanup, no finally
    sender.communicate()
    assert sender.returncode == -9
    fake.delay = 0
    fake.wait_idle()
    session.expire_all()
    left = Counter(m.status for m in session.exec(select(SmsMessage)).all())
    assert left["sending"] > 0

    reconciled = crm(
        database_url, config, env, "sms", "reconcile", "--older-than", "0", "--format", "json"
    )
    settled = json.loads(reconciled.communicate()[0])
    resent = crm(database_url, config, env, "sms", "send", "--format", "json")
    out, errors = resent.communicate()

    assert reconciled.returncode == 0
    assert settled["found_sent"] >= 1  # accepted in a batch, never recorded: found by query
    assert settled["requeued"] >= 1  # claimed, never sent: certainly safe to send
    assert settled["unknown"] == 0
    assert resent.returncode == 0, errors
    key = "PhoneNum" if backend == "aliyun" else "PhoneNumber"
    received = Counter(m[key] for m in fake.outbound())
    national = {p[3:] for p in phones} if backend == "aliyun" else phones
    assert set(received) == national
    assert set(received.values()) == {1}  # every customer got the message exactly once
    session.expire_all()
    assert {m.status for m in session.exec(select(SmsMessage)).all()} <= {"sent", "delivered"}

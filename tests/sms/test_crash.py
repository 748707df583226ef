"""A sender killed mid-batch (SIGKILL, a real process) never causes a second send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import update
from sqlmodel import select

from crm.models import SmsMessage, Store
from tests.factories import add_customer, add_message
from tests.sms.conftest import midday_zone

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 60


def crm(database_url, config, env, *args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "--db", database_url, "--config", str(config)]
        + list(args),
        env=os.environ | env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_a_sender_killed_mid_batch_sends_every_message_exactly_once(
    database_url, session, tmp_path, fake_twilio, twilio_env
):
    session.execute(update(Store).values(timezone=midday_zone()))
    session.commit()
    for n in range(MESSAGES):
        customer = add_customer(session)
        add_message(session, customer, body=f"【示例汽车4S店】第{n}号客户您好，您的爱车该保养了。")
    config = tmp_path / "config.toml"
    config.write_text(
        '[sms]\nbackend = "twilio"\nrate_per_second = 1000.0\nconcurrency = 4\n'
        "connect_timeout_seconds = 1.0\nread_timeout_seconds = 5.0\nreconcile_after_seconds = 6\n"
    )
    fake_twilio.delay = 0.3  # slow answers: the kill lands while requests are in flight

    sender = crm(database_url, config, twilio_env, "sms", "send")
    deadline = time.monotonic() + 30
    # Kill while a request is held by the server: accepted there, not yet recorded here.
    while time.monotonic() < deadline and not (
        len(fake_twilio.outbound()) >= 10 and fake_twilio.in_flight >= 1
    ):
        time.sleep(0.005)
    sender.kill()  # SIGKILL: no cleanup, no finally
    sender.communicate()
    assert sender.returncode == -9
    fake_twilio.delay = 0
    fake_twilio.wait_idle()  # the killed process's last requests have landed (or not)
    session.expire_all()
    left = Counter(m.status for m in session.exec(select(SmsMessage)).all())
    assert left["sending"] > 0 and left["queued"] + left["sent"] + left["sending"] == MESSAGES

    reconciled = crm(
        database_url,
        config,
        twilio_env,
        "sms",
        "reconcile",
        "--older-than",
        "0",
        "--format",
        "json",
    )
    settled = json.loads(reconciled.communicate()[0])
    resent = crm(database_url, config, twilio_env, "sms", "send", "--format", "json")
    out, errors = resent.communicate()

    assert reconciled.returncode == 0
    assert settled["found_sent"] >= 1  # accepted by the provider, never recorded: found
    assert settled["requeued"] >= 1  # claimed, never sent: certainly safe to send
    assert settled["unknown"] == 0
    assert resent.returncode == 0, errors
    bodies = Counter(m["body"] for m in fake_twilio.outbound())
    assert len(bodies) == MESSAGES
    assert set(bodies.values()) == {1}  # every message reached the provider exactly once
    session.expire_all()
    rows = session.exec(select(SmsMessage)).all()
    sids = {m["body"]: m["sid"] for m in fake_twilio.outbound()}
    assert {(m.status, m.provider_sid == sids[m.body]) for m in rows} == {("sent", True)}

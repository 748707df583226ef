"""`crm worker` on PostgreSQL: real worker processes share a simulated day's work.

The workers run on a simulated clock (crm/clock.py: CRM_CLOCK_OFFSET_FILE), which the
test moves from one store's 06:30 to the next while the workers run; between moves
time flows as it does, so leases, heartbeats and provider calls take real seconds.
The fake Twilio server reads the same clock, as the real Twilio's agrees with ours.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text, update
from sqlmodel import Session

from cli import main
from crm import clock, db
from crm.models import Customer, JobRun, PlanningRun, SmsMessage, Store, Worker
from tests import fake_twilio
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio
from tests.tcp_proxy import TcpProxy

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
TOKYO, SHANGHAI, URUMQI = (ZoneInfo(z) for z in ("Asia/Tokyo", "Asia/Shanghai", "Asia/Urumqi"))
# The configured store (demo, Shanghai) and four more: five stores in three zones.
STORES = {"tk1": TOKYO, "tk2": TOKYO, "sh2": SHANGHAI, "ur1": URUMQI}
DAY = datetime(2026, 4, 1)  # the 1st: last month's report is due too
CONFIG = """
[sms]
backend = "twilio"
rate_per_second = 1000.0
concurrency = 4
retry_backoff_seconds = 0.01
connect_timeout_seconds = 0.5
read_timeout_seconds = 1.0
reconcile_after_seconds = 10

[report]
formats = ["json"]

[workers]
threads = 2
poll_seconds = 0.2
heartbeat_seconds = 0.5
lease_seconds = 3.0
"""


def local(zone: ZoneInfo, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute, second=second, tzinfo=zone).astimezone(UTC)


def wait_for(condition, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


class Day:
    """The simulated clock, the fake Twilio, the database and the worker processes."""

    def __init__(self, url: str, folder, monkeypatch):
        self.url, self.folder = url, folder
        self.engine = db.make_engine(url)
        self.clock_file = str(folder / "clock-offset")
        monkeypatch.setenv(clock.OFFSET_FILE, self.clock_file)
        self.move_to(local(TOKYO, 5))
        monkeypatch.setattr(fake_twilio, "now", clock.utcnow)
        self.twilio = FakeTwilio().start()
        (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
        self.workers: list[subprocess.Popen] = []

    def move_to(self, moment: datetime) -> None:
        clock.set_offset(self.clock_file, moment)

    def start_worker(self, url: str | None = None) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "TWILIO_"))}
        env |= {
            "PYTHONPATH": os.getcwd(),
            clock.OFFSET_FILE: self.clock_file,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": FROM_NUMBER,
            "TWILIO_API_URL": self.twilio.url,
        }
        log = open(self.folder / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-c", "from cli import main; main()", "--db", url or self.url]
            + ["--config", str(self.folder / "config.toml"), "worker"],
            cwd=self.folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.workers.append(process)
        return process

    def log_of(self, process: subprocess.Popen) -> str:
        return (self.folder / f"worker-{self.workers.index(process)}.log").read_text()

    def scalar(self, statement):
        with Session(self.engine) as session:
            return session.execute(statement).scalar()

    def rows(self, statement):
        with Session(self.engine) as session:
            return session.execute(statement).all()

    def alive_workers(self) -> int:
        fresh = Worker.heartbeat_at > func.now() - text("interval '2 seconds'")
        return self.scalar(
            select(func.count()).select_from(Worker).where(fresh, Worker.stopped_at.is_(None))
        )

    def sent(self) -> int:
        return self.scalar(select(func.count()).where(SmsMessage.status == "sent"))

    def close(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()  # a run under way: its stop is crm scheduler's tests' subject
                process.wait()
        self.twilio.stop()
        self.engine.dispose()


@pytest.fixture
def day(database_url, tmp_path, monkeypatch):
    simulation = Day(database_url, tmp_path, monkeypatch)
    with Session(simulation.engine) as session:
        session.add_all(
            Store(code=code, name=f"{code}店", timezone=z.key) for code, z in STORES.items()
        )
        # Live since January: March's report is theirs (none for a month before go-live).
        session.execute(update(Store).values(created_at=datetime(2026, 1, 1, tzinfo=UTC)))
        session.commit()
    yield simulation
    simulation.close()


def queue_messages(day: Day, per_store: int) -> None:
    """`per_store` queued service messages in every store, each to its own customer."""
    with Session(day.engine) as session:
        stores = session.execute(select(Store.id)).scalars().all()
        customers = [
            Customer(store_id=store, name=f"客户{n}", phone=f"+86139{store:02d}{n:06d}")
            for store in stores
            for n in range(per_store)
        ]
        session.add_all(customers)
        session.flush()
        session.add_all(
            SmsMessage(
                store_id=c.store_id,
                customer_id=c.id,
                kind="first_service_sms",
                category="service",
                subject=f"customer:{c.id}",
                cycle="test",
                to_phone=c.phone,
                body=f"【示例汽车4S店】{c.name}您好，您的爱车已到首保时间。编号{c.id}",
                reason="test",
            )
            for c in customers
        )
        session.commit()


def runs(day: Day) -> int:
    return day.scalar(select(func.count()).select_from(PlanningRun))


def status(day: Day) -> dict:
    config = str(day.folder / "config.toml")
    result = CliRunner().invoke(
        main, ["--db", day.url, "--config", config, "status", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def each_sent_once(day: Day, expected: int) -> None:
    """Every queued message sent, none twice: the provider's log is the judge."""
    delivered = Counter((m["to"], m["body"]) for m in day.twilio.outbound())
    queued = day.rows(select(SmsMessage.to_phone, SmsMessage.body))
    assert len(queued) == expected
    assert [pair for pair, n in delivered.items() if n > 1] == []  # no duplicates
    assert set(delivered) == {tuple(row) for row in queued}  # none lost
    assert day.sent() == expected


@ON_POSTGRESQL
def test_three_workers_plan_each_store_once_at_its_own_half_past_six_and_send_each_sms_once(day):
    queue_messages(day, per_store=400)  # 2,000 in five stores
    for _ in range(3):
        day.start_worker()
    wait_for(lambda: day.alive_workers() == 3, 60, "three workers beating")

    planned = {}
    for zone in (TOKYO, SHANGHAI, URUMQI):  # their 06:30s: 21:30, 22:30 and 00:30 UTC
        codes = sorted(code for code, z in {"demo": SHANGHAI, **STORES}.items() if z == zone)
        day.move_to(local(zone, 6, 29, 57))
        time.sleep(1.5)
        assert runs(day) == len(planned)  # not before its 06:30
        everyone = len(planned) + len(codes)
        wait_for(lambda n=everyone: runs(day) == n, 30, f"{codes} planned")
        for code, started in day.rows(
            select(Store.code, PlanningRun.started_at)
            .join(Store, Store.id == PlanningRun.store_id)
            .where(Store.code.in_(codes))
        ):
            planned[code] = started.astimezone(zone)
    day.move_to(local(URUMQI, 10))  # 12:00 in Shanghai, 13:00 in Tokyo: every window open
    wait_for(lambda: day.sent() == 2000, 120, "2,000 SMS sent", every=0.5)
    day.twilio.wait_idle()
    report = status(day)

    assert {code: f"{moment:%H:%M}" for code, moment in planned.items()} == dict.fromkeys(
        ["demo", "sh2", "tk1", "tk2", "ur1"], "06:30"
    )
    assert day.scalar(select(func.count()).select_from(PlanningRun)) == 5  # once each
    each_sent_once(day, 2000)
    senders = select(JobRun.worker_id).where(JobRun.job == "sms_dispatch").distinct()
    assert len(day.rows(senders)) > 1  # the sending was shared
    assert [entry["warning"] for entry in report["stores"]] == [None] * 5
    assert sum(worker["alive"] for worker in report["workers"]) == 3
    planning = [job for job in report["jobs"] if job["job"] == "planning"]
    assert {job["last_status"] for job in planning} == {"done"}
    reports = day.folder / "reports"
    # March's, once each store's day passed report.scheduled_hour (10:00) on the 1st.
    march = lambda: sorted(p.name for p in reports.glob("*-2026-03.json"))  # noqa: E731
    wait_for(lambda: len(march()) == 5, 30, "five March reports")
    assert march() == [f"{code}-2026-03.json" for code in ["demo", "sh2", "tk1", "tk2", "ur1"]]


def freeze_a_worker_holding_messages(day, workers, tries=200):
    """A worker stopped (SIGSTOP) while its store's messages sit claimed and unrecorded:
    (the process, its run's id, how many it holds). Another candidate is thawed and the
    next looked at, so the kill that follows always leaves messages for the log to settle."""
    for _ in range(tries):
        running = day.rows(
            select(Worker.pid, JobRun.id, Store.id)
            .join(Worker, Worker.id == JobRun.worker_id)
            .join(Store, Store.code == JobRun.scope)
            .where(JobRun.status == "running", JobRun.job == "sms_dispatch")
        )
        for pid, run_id, store_id in running:
            process = next((w for w in workers if w.pid == pid), None)
            if process is None:
                continue
            process.send_signal(signal.SIGSTOP)
            held = 0
            try:
                # Read again while it is frozen: the run may have ended before the stop.
                still_running = day.scalar(
                    select(func.count()).where(JobRun.id == run_id, JobRun.status == "running")
                )
                held = still_running and day.scalar(
                    select(func.count()).where(
                        SmsMessage.status == "sending", SmsMessage.store_id == store_id
                    )
                )
            finally:
                if not held:  # thawed unless chosen, even when a read above raised
                    process.send_signal(signal.SIGCONT)
            if held:
                return process, run_id, held
        time.sleep(0.02)
    pytest.fail("no worker was caught holding claimed messages")


@ON_POSTGRESQL
def test_a_worker_killed_mid_batch_leaves_its_messages_to_the_others_after_the_lease(day):
    queue_messages(day, per_store=120)  # 600
    day.twilio.delay = 0.1  # a provider slow enough to kill a worker mid-batch
    day.move_to(local(URUMQI, 10))
    workers = [day.start_worker() for _ in range(3)]
    wait_for(lambda: day.sent() >= 60, 60, "sending under way", every=0.05)
    victim, run_id, in_flight = freeze_a_worker_holding_messages(day, workers)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    wait_for(
        lambda: day.scalar(select(JobRun.attempts).where(JobRun.id == run_id)) == 2,
        30,
        "the killed worker's run claimed again after its lease",
    )
    # Its messages stay claimed until reconcile_after_seconds (10 s) has passed; rather
    # than wait for the next minute's dispatch, the clock moves there.
    day.move_to(clock.utcnow() + timedelta(seconds=60))

    wait_for(lambda: day.sent() == 600, 90, "600 SMS sent", every=0.5)
    day.twilio.wait_idle()
    taken_over = day.rows(select(JobRun.attempts, JobRun.status).where(JobRun.id == run_id))
    settled = Counter()
    for (result,) in day.rows(select(JobRun.result).where(JobRun.job == "sms_dispatch")):
        settled.update(result.get("reconciled", {}))
    report = status(day)

    assert in_flight > 0  # killed with its store's messages claimed and not yet recorded
    assert taken_over == [(2, "done")]  # claimed again once the lease lapsed, and finished
    assert settled["found_sent"] + settled["requeued"] > 0  # its claims settled by the log
    each_sent_once(day, 600)
    silent = [w for w in report["workers"] if w["pid"] == victim.pid]
    assert [w["alive"] for w in silent] == [False]


@ON_POSTGRESQL
def test_a_worker_that_loses_the_database_for_30_seconds_carries_on_by_itself(day):
    from urllib.parse import urlsplit, urlunsplit

    address = urlsplit(day.url)
    proxy = TcpProxy((address.hostname, address.port or 5432)).start()
    through_proxy = urlunsplit(
        address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}")
    )
    day.move_to(local(SHANGHAI, 6))
    worker = day.start_worker(through_proxy)
    wait_for(lambda: day.alive_workers() == 1, 60, "the worker beating")

    proxy.stop()
    day.move_to(local(SHANGHAI, 6, 30))  # the demo store's planning comes while it is cut off
    time.sleep(30)
    still_running = worker.poll() is None
    planned_meanwhile = day.scalar(select(func.count()).select_from(PlanningRun))
    proxy.start()
    wait_for(lambda: day.scalar(select(func.count()).select_from(PlanningRun)) >= 1, 30, "planned")
    wait_for(lambda: day.alive_workers() == 1, 15, "the worker beating again")
    proxy.stop()
    log = day.log_of(worker)

    assert still_running
    assert planned_meanwhile == 0
    assert log.count("database unavailable (") == 1, log
    assert "database back after" in log
    assert "Traceback" not in log


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_worker_on_sqlite_is_refused_with_the_command_to_run_instead(crm):
    result = crm("worker")

    assert result.exit_code == 2
    assert "several workers share the work only on PostgreSQL" in result.output
    assert "crm scheduler run" in result.output

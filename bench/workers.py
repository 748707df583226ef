"""`python bench/run.py workers`: a dealer group's day shared by 1, 2 and 4 `crm worker`s.

On PostgreSQL (CRM_BENCH_PG, else CRM_TEST_DATABASE_URL): 10 stores of 92,500 demo
customers (about 100,000 vehicles each, seeded once as a template database by `crm demo
seed`, as bench/planning.py seeds its 100k store; CRM_BENCH_WORKERS_CUSTOMERS seeds
fewer), 2,000 queued SMS in each store. For each count of workers, on a fresh copy:
1. planning: the clock is moved to 06:30 of the planning day (all stores in Shanghai)
   and the wall time runs until every store's day is planned;
2. SMS: the clock is moved to 09:00 and the wall time runs until the 20,000 are sent
   to the local Twilio-compatible server (tests/fake_twilio.py, in this process);
3. the workers' CPU seconds each, from /proc, and duplicates at the provider (must be 0).
Then, with 2 workers, one is killed (-9) while it sends, and the time is measured until
its run is claimed again (lease_seconds) and until the messages it held are settled
(reconcile_after_seconds, then the next minute's dispatch).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from figures import CODE, ROOT, crm_cpu
from planning import PLAN_DAY, age_the_seed

STORES = 10
CUSTOMERS = int(os.environ.get("CRM_BENCH_WORKERS_CUSTOMERS", 92_500))
MESSAGES_PER_STORE = 2_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG = """
[sms]
backend = "twilio"
rate_per_second = 10000.0
concurrency = 8
reconcile_after_seconds = 30

[workers]
threads = 2
poll_seconds = 0.5
heartbeat_seconds = 2.0
lease_seconds = 10.0
"""
QUEUE = """
INSERT INTO sms_message (store_id, customer_id, kind, category, subject, cycle, to_phone,
    body, reason, status, send_attempts, queued_at, updated_at)
SELECT store_id, id, 'first_service_sms', 'service', 'bench:' || id, 'bench', phone,
    '【示例汽车4S店】' || name || '您好，您的爱车已到首保时间，欢迎来电预约。编号' || id,
    'bench', 'queued', 0, now(), now()
FROM (SELECT c.*, row_number() OVER (PARTITION BY store_id ORDER BY id) AS n
      FROM customer c WHERE sms_consent AND phone_valid AND status = 'active') ranked
WHERE n <= %(per_store)s
"""


def server_url() -> str | None:
    return os.environ.get("CRM_BENCH_PG") or os.environ.get("CRM_TEST_DATABASE_URL")


def template(server: str) -> str:
    """The seeded group as a template database, made once (its name keyed by the seeding code)."""
    import psycopg

    code = (CODE / "crm/demo.py").read_bytes() + (CODE / "crm/actions/setup.py").read_bytes()
    name = f"crm_bench_group_{STORES}x{CUSTOMERS}_{hashlib.sha1(code).hexdigest()[:8]}"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(server, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return name
        admin.execute(f"DROP DATABASE IF EXISTS {name}_building")
        admin.execute(f"CREATE DATABASE {name}_building")
    url = f"{base}/{name}_building"
    crm_cpu("--db", url, "init")
    started = time.perf_counter()
    for n in range(1, STORES + 1):
        code = "demo" if n == 1 else f"g{n:02d}"
        if n > 1:
            crm_cpu("--db", url, "stores", "add", code, "--name", f"集团{n}号店")
        print(f"  seeding store {n}/{STORES} ({CUSTOMERS:,} customers) …", file=sys.stderr)
        crm_cpu(
            "--db", url, "demo", "seed", "--store", code, "--customers", str(CUSTOMERS),
            "--seed", str(n), "--today", PLAN_DAY,
        )  # fmt: skip
    seeded = time.perf_counter() - started
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name}_building RENAME TO {name}")
    print(
        f"workers: seeded {STORES} stores x {CUSTOMERS:,} customers on PostgreSQL in {seeded:.0f} s"
    )
    age_the_seed()
    return name


def fresh_copy(server: str, name: str) -> str:
    """A copy of the seeded group, migrated, with 2,000 queued SMS in each store."""
    import psycopg

    copy = "crm_bench_workers_run"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {copy}")
        admin.execute(f"CREATE DATABASE {copy} TEMPLATE {name}")
    url = f"{server.rsplit('/', 1)[0]}/{copy}"
    crm_cpu("--db", url, "init")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(QUEUE, {"per_store": MESSAGES_PER_STORE})
        connection.execute("ANALYZE")
    return url


class Group:
    """N workers on one copy, the simulated clock, the local Twilio server."""

    def __init__(self, url: str, workdir: Path, twilio):
        from crm import clock

        self.url, self.workdir, self.twilio, self.clock = url, workdir, twilio, clock
        self.clock_file = str(workdir / "clock-offset")
        (workdir / "workers.toml").write_text(CONFIG, encoding="utf-8")
        self.processes: list[subprocess.Popen] = []
        import psycopg

        self.db = psycopg.connect(url, autocommit=True)

    def move_to(self, hour: int, minute: int) -> float:
        day = datetime.fromisoformat(PLAN_DAY)
        self.clock.set_offset(
            self.clock_file, day.replace(hour=hour, minute=minute, tzinfo=SHANGHAI)
        )
        return time.perf_counter()

    def start(self, count: int) -> None:
        from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

        env = os.environ | {
            "PYTHONPATH": str(CODE),
            self.clock.OFFSET_FILE: self.clock_file,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": FROM_NUMBER,
            "TWILIO_API_URL": self.twilio.url,
        }
        for _ in range(count):
            log = open(self.workdir / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, str(CODE / "cli.py"), "--db", self.url, "--config"]
                    + [str(self.workdir / "workers.toml"), "worker"],
                    cwd=self.workdir,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        self.until(lambda: self.count(ALIVE) == count, 120, f"{count} workers beating")

    def count(self, sql: str, *args) -> int:
        return self.db.execute(sql, args).fetchone()[0]

    def until(self, condition, timeout: float, what: str, every: float = 0.25) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return time.perf_counter()
            time.sleep(every)
        logs = "".join(log.read_text()[-2000:] for log in self.workdir.glob("worker-*.log"))
        raise SystemExit(f"workers bench: not within {timeout:.0f} s: {what}\n{logs}")

    def cpu(self) -> list[float]:
        """Each live worker's CPU seconds (user + system) so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        seconds = []
        for process in self.processes:
            if process.poll() is None:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                seconds.append((int(fields[11]) + int(fields[12])) / ticks)
        return seconds

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        self.db.close()


ALIVE = (
    "SELECT count(*) FROM worker WHERE stopped_at IS NULL "
    "AND heartbeat_at > statement_timestamp() - interval '6 seconds'"
)
PLANNED = (
    "SELECT count(DISTINCT store_id) FROM planning_run "
    f"WHERE day = '{PLAN_DAY}' AND finished_at IS NOT NULL"
)
# The bench's 20,000; planning queues more of its own, sent beside them.
SENT = "SELECT count(*) FROM sms_message WHERE status = 'sent' AND cycle = 'bench'"
DISPATCHING = (
    "SELECT w.pid, r.id FROM job_run r JOIN worker w ON w.id = r.worker_id "
    "WHERE r.status = 'running' AND r.job = 'sms_dispatch'"
)


def one_day(server: str, name: str, workdir: Path, count: int) -> dict:
    from tests.fake_twilio import FakeTwilio

    twilio = FakeTwilio().start()
    group = Group(fresh_copy(server, name), workdir, twilio)
    try:
        group.move_to(5, 0)
        group.start(count)
        cpu_idle = group.cpu()
        started = group.move_to(6, 30)
        planned = group.until(lambda: group.count(PLANNED) == STORES, 1800, "planning") - started
        started = group.move_to(9, 0)
        total = STORES * MESSAGES_PER_STORE
        sent = group.until(lambda: group.count(SENT) == total, 3600, "SMS", every=0.5) - started
        cpu = [after - before for after, before in zip(group.cpu(), cpu_idle, strict=True)]
        twilio.wait_idle()
        repeats = sum(
            n - 1 for n in Counter((m["to"], m["body"]) for m in twilio.outbound()).values()
        )
    finally:
        group.stop()
        twilio.stop()
    return {"planning": planned, "sms": sent, "cpu": cpu, "duplicates": repeats}


def resume_after_kill(server: str, name: str, workdir: Path) -> dict:
    """Two workers; one killed -9 while it sends: how long until the other resumes its work."""
    from tests.fake_twilio import FakeTwilio

    twilio = FakeTwilio().start()
    group = Group(fresh_copy(server, name), workdir, twilio)
    try:
        group.move_to(5, 0)
        group.start(2)
        group.move_to(9, 0)  # planning and sending together: the busiest morning
        group.until(lambda: group.count(SENT) >= 2_000, 1800, "sending under way", every=0.1)
        busy = dict(group.db.execute(DISPATCHING).fetchall())
        victim = next(p for p in group.processes if p.pid in busy)
        run_id = busy[victim.pid]
        held = group.count("SELECT count(*) FROM sms_message WHERE status = 'sending'")
        killed = time.perf_counter()
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        reclaimed = group.until(
            lambda: group.count("SELECT attempts FROM job_run WHERE id = %s", run_id) >= 2,
            600,
            "the killed worker's run claimed again",
        )
        total = STORES * MESSAGES_PER_STORE
        settled = group.until(
            lambda: group.count("SELECT count(*) FROM sms_message WHERE status = 'sending'") == 0,
            900,
            "its messages settled",
        )
        group.until(lambda: group.count(SENT) == total, 3600, "every SMS sent", every=0.5)
        twilio.wait_idle()
        repeats = sum(
            n - 1 for n in Counter((m["to"], m["body"]) for m in twilio.outbound()).values()
        )
    finally:
        group.stop()
        twilio.stop()
    return {
        "reclaimed": reclaimed - killed,
        "settled": settled - killed,
        "held": held,
        "duplicates": repeats,
    }


def bench_workers(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))  # tests.fake_twilio
    server = server_url()
    if not server:
        print("workers: skipped; set CRM_BENCH_PG=postgresql://…")
        return
    import psycopg

    name = template(server)
    with psycopg.connect(f"{server.rsplit('/', 1)[0]}/{name}") as seeded:
        vehicles = seeded.execute("SELECT count(*) FROM vehicle").fetchone()[0]
    sms = STORES * MESSAGES_PER_STORE
    base = None
    for count in (1, 2, 4):
        figures = one_day(server, name, workdir, count)
        wall = figures["planning"] + figures["sms"]
        base = base or wall
        per_worker = ", ".join(f"{cpu:.0f}" for cpu in figures["cpu"])
        print(
            f"workers x{count}: {STORES} stores ({vehicles:,} vehicles) planned in "
            f"{figures['planning']:.1f} s, {sms:,} SMS sent in {figures['sms']:.1f} s "
            f"({sms / figures['sms']:,.0f}/s); day {wall:.1f} s, speed-up {base / wall:.2f}x; "
            f"CPU s per worker: {per_worker}; duplicates {figures['duplicates']}"
        )
    resumed = resume_after_kill(server, name, workdir)
    print(
        f"workers: one of 2 killed -9 mid-batch ({resumed['held']} messages in sending): its "
        f"run claimed again after {resumed['reclaimed']:.1f} s (lease 10 s), its messages "
        f"settled after {resumed['settled']:.1f} s (reconcile_after 30 s, then the next "
        f"minute's dispatch); duplicates {resumed['duplicates']}"
    )

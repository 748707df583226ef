"""`make bench`: the figures the issues name, measured on this machine.

- demo seed: customers per second for a 100,000-customer store on SQLite (target: < 60 s).
- import: rows per second and peak memory for a 500,000-row customer CSV, beside a
  50,000-row one, to show the import streams; and a 200,000-row one into PostgreSQL
  (`CRM_BENCH_POSTGRES_URL`, else `CRM_TEST_DATABASE_URL`; skipped without either), its
  first and last quarter timed to show it stays linear.
- planning: the first run of a day, the same day again beside its floor, and the next
  day, in CPU seconds, at 10k, 100k and 1M vehicles on SQLite and at 100k and 1M (a
  ten-store group) on PostgreSQL when CRM_BENCH_PG is set (bench/planning.py). The
  seeded stores are kept in `.bench/` so later runs skip the seeding;
  `python bench/run.py planning` runs only it.
- calls: the day's call list for one agent in that group, after planning the day
  (target: < 0.5 s), in process and as the `crm calls list` command; `python bench/run.py
  calls`.
- startup: `crm --help` beside `python -c pass` and `import click`, in CPU seconds.
- report: the month-end summary of a month with 300,000 call attempts and 50,000 messages
  on SQLite (target < 10 s), and `crm report monthly --format json` beside its floor,
  the core figures computed in process; `python bench/run.py report` runs only it.
- console: the agents' console over HTTP on loopback: My day and the call card for one
  agent of the planned group (targets: medians < 300 ms and < 200 ms), then 20 agents
  working at once for 60 s on SQLite and on PostgreSQL (p95 < 1 s, no error, no lost
  write); `python bench/run.py console`, details in bench/console_bench.py.
- dashboard: the manager's dashboard of the planned group with a busy month, over HTTP
  on loopback, for a store's manager and for an admin (target: < 1 s);
  `python bench/run.py dashboard`, details in bench/dashboard_bench.py.
- sms: 10,000 queued messages dispatched by `crm sms send` through the real twilio client
  to the local Twilio-compatible server (tests/fake_twilio.py) with the rate limit lifted
  (target: at least 200 messages per second).
- webhooks: 1,000 signed Twilio status callbacks from 20 concurrent clients to a real
  `crm serve` on SQLite (target: at least 200 a second, no update lost), and how soon a
  TD reply shows as an opt-out in the database (target: within a second);
  `python bench/run.py webhooks`, details in bench/webhooks_bench.py.
- workers: a 10-store group of about 100,000 vehicles a store on PostgreSQL, its day's
  planning and 20,000 SMS shared by 1, 2 and 4 `crm worker`s (wall time, speed-up, CPU
  per worker), and how long a killed worker's work takes to resume; `python bench/run.py
  workers`, details in bench/workers.py.

Figures in CPU seconds are printed beside `bench/previous.json` (see bench/figures.py);
`--save PATH` writes this run's.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import CODE, ROOT, crm_cpu, median, save, script, show
from planning import PLAN, PLAN_DAY, age_the_seed, bench_planning
from rich.console import Console
from rich.progress import track

PYTHON = sys.executable
console = Console(stderr=True)


def crm(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(CODE / "cli.py"), "--db", db, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=CODE,
    )


def bench_seed(workdir: Path, customers: int) -> None:
    db = f"sqlite:///{workdir / 'seed.db'}"
    crm("init", db=db)
    started = time.perf_counter()
    result = crm("demo", "seed", "--customers", str(customers), "--seed", "1", db=db)
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"demo seed failed: {result.stderr}")
    print(
        f"demo seed: {customers:,} customers in {elapsed:.1f} s "
        f"= {customers / elapsed:,.0f} customers/s  ({result.stdout.strip()})"
    )


def write_customers_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["客户编号", "姓名", "手机号", "生日", "农历/公历", "性别", "职业", "爱好"])
        for i in track(range(rows), description=f"writing {rows:,} rows", console=console):
            writer.writerow(
                [
                    f"C{i:08d}",
                    "王伟" if i % 2 else "李娜",
                    f"139{i:08d}",
                    f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}",
                    "农历" if i % 5 == 0 else "公历",
                    "男" if i % 2 else "女",
                    "教师",
                    "钓鱼",
                ]
            )


MEASURE = """
import json, resource, sys, time
from datetime import UTC, date, datetime
from pathlib import Path
from crm import db
from crm.importing import run_import
engine = db.make_engine(sys.argv[1])
started = time.perf_counter()
result = run_import(engine, "customers", Path(sys.argv[2]), store_code="demo",
                    today=date(2026, 11, 1), now=datetime.now(UTC), phone_region="CN")
print(json.dumps({"seconds": time.perf_counter() - started, "rows": result.rows,
                  "new": result.new, "rejected": result.rejected,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_import(workdir: Path, rows: int) -> dict:
    path = workdir / f"customers-{rows}.csv"
    write_customers_csv(path, rows)
    db = f"sqlite:///{workdir / f'import-{rows}.db'}"
    crm("init", db=db)
    console.print(f"importing {rows:,} rows …")
    result = subprocess.run(
        [PYTHON, "-c", MEASURE, db, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=CODE,
    )
    if result.returncode:
        sys.exit(f"import failed: {result.stderr}")
    figures = json.loads(result.stdout)
    print(
        f"import: {figures['rows']:,} rows ({figures['new']:,} new, {figures['rejected']} "
        f"rejected) in {figures['seconds']:.1f} s = {figures['rows'] / figures['seconds']:,.0f}"
        f" rows/s, peak memory {figures['peak_mb']:.0f} MB"
    )
    return figures


MEASURE_POSTGRES = """
import json, sys, time, uuid
from datetime import UTC, date, datetime
from pathlib import Path
from sqlalchemy import text
from crm import db
from crm.config import Settings
from crm.importing import run_import
from crm.stores import ensure_store
server = db.make_engine(sys.argv[1])
schema = "bench_" + uuid.uuid4().hex[:8]
with server.begin() as connection:
    connection.execute(text(f"CREATE SCHEMA {schema}"))
separator = "&" if "?" in sys.argv[1] else "?"
engine = db.make_engine(f"{sys.argv[1]}{separator}options=-csearch_path%3D{schema}")
try:
    db.upgrade(engine)
    with db.session(engine) as session:
        ensure_store(session, Settings().store)
    marks = []
    def mark(done, size):
        marks.append((time.perf_counter(), done / size))
    started = time.perf_counter()
    result = run_import(engine, "customers", Path(sys.argv[2]), store_code="demo",
                        today=date(2026, 11, 1), now=datetime.now(UTC), phone_region="CN",
                        progress=mark)
    seconds = time.perf_counter() - started
    quarter = next(t for t, share in marks if share >= 0.25) - started
    last = seconds - (next(t for t, share in marks if share >= 0.75) - started)
    print(json.dumps({"seconds": seconds, "rows": result.rows, "new": result.new,
                      "first_quarter": quarter, "last_quarter": last}))
finally:
    engine.dispose()
    with server.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
"""


def bench_import_postgres(workdir: Path, rows: int) -> None:
    """The customer import into PostgreSQL: linear, the last quarter as fast as the first."""
    import os

    url = os.environ.get("CRM_BENCH_POSTGRES_URL") or os.environ.get("CRM_TEST_DATABASE_URL")
    if not url:
        print("import (PostgreSQL): skipped; set CRM_BENCH_POSTGRES_URL=postgresql://…")
        return
    path = workdir / f"customers-{rows}.csv"
    if not path.exists():
        write_customers_csv(path, rows)
    console.print(f"importing {rows:,} rows into PostgreSQL …")
    result = subprocess.run(
        [PYTHON, "-c", MEASURE_POSTGRES, url, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode:
        sys.exit(f"PostgreSQL import failed: {result.stderr}")
    figures = json.loads(result.stdout)
    print(
        f"import (PostgreSQL): {figures['rows']:,} rows ({figures['new']:,} new) in "
        f"{figures['seconds']:.1f} s = {figures['rows'] / figures['seconds']:,.0f} rows/s; "
        f"first quarter {figures['first_quarter']:.1f} s, last quarter "
        f"{figures['last_quarter']:.1f} s"
    )


GROUP_STORES = 10
GROUP_CUSTOMERS_PER_STORE = 92_500  # about 100,000 vehicles a store


def seeded_group() -> Path:
    """The 1,000,000-vehicle dealer group, seeded once and kept in .bench/."""
    cache = ROOT / ".bench" / f"group-{GROUP_STORES}x{GROUP_CUSTOMERS_PER_STORE}.db"
    if cache.exists():
        return cache
    cache.parent.mkdir(exist_ok=True)
    building = cache.with_suffix(".building")
    building.unlink(missing_ok=True)
    db = f"sqlite:///{building}"
    crm("init", db=db)
    for n in range(1, GROUP_STORES + 1):
        code = "demo" if n == 1 else f"g{n:02d}"
        if n > 1:
            crm("stores", "add", code, "--name", f"集团{n}号店", db=db)
        console.print(f"seeding store {n}/{GROUP_STORES} …")
        result = crm(
            "demo",
            "seed",
            "--store",
            code,
            "--customers",
            str(GROUP_CUSTOMERS_PER_STORE),
            "--seed",
            str(n),
            "--today",
            PLAN_DAY,
            db=db,
        )
        if result.returncode:
            sys.exit(f"seeding failed: {result.stderr}")
    building.rename(cache)
    age_the_seed()
    return cache


CALL_LIST = """
import json, sys, time
from datetime import date
from sqlmodel import select
started = time.perf_counter()
from crm import db
from crm.calls.desk import day_list
from crm.models import Agent, Store
engine = db.make_engine(sys.argv[1])
day = date.fromisoformat(sys.argv[2])
with db.session(engine) as session:
    store = session.exec(select(Store).where(Store.code == "demo")).one()
    agent = session.exec(select(Agent).where(Agent.store_id == store.id)).first()
    begun, cpu = time.perf_counter(), time.process_time()
    rows = day_list(session, store, day, "zh_CN", agent=agent)
    listed, cpu = time.perf_counter() - begun, time.process_time() - cpu
print(json.dumps({"seconds": listed, "cpu": cpu, "process_seconds": time.perf_counter() - started,
                  "calls": len(rows), "agent": agent.code}))
"""


def bench_calls(workdir: Path, db: str | None = None) -> None:
    """The day's list for one agent; plans the day first unless given a planned group."""
    import shutil

    if db is None:
        path = workdir / "calls.db"
        shutil.copy(seeded_group(), path)
        db = f"sqlite:///{path}"
        crm("init", db=db)
        console.print(f"planning {PLAN_DAY} for the call list …")
        planned = subprocess.run(
            [PYTHON, "-c", PLAN, db, PLAN_DAY], capture_output=True, text=True, cwd=CODE
        )
        if planned.returncode:
            sys.exit(f"planning failed: {planned.stderr}")
    runs = [script(CALL_LIST, db, PLAN_DAY) for _ in range(3)]
    figures = runs[0][0]
    in_process = median([r[0]["cpu"] for r in runs])
    print(
        f"call list for agent {figures['agent']} on {PLAN_DAY} (1,000,000-vehicle group): "
        f"{figures['calls']:,} calls in {figures['seconds'] * 1000:.0f} ms "
        f"(whole process with imports {figures['process_seconds']:.2f} s)"
    )
    show("calls.in_process", "  the call list in process (listing only)", in_process)
    command = median(
        [
            crm_cpu(
                "--db",
                db,
                "calls",
                "list",
                "--agent",
                figures["agent"],
                "--date",
                PLAN_DAY,
                "--format",
                "json",
            )
            for _ in range(3)
        ]
    )
    show(
        "calls.command",
        f"  `crm calls list --agent {figures['agent']} --format json`, whole command",
        command,
        floor=in_process,
    )


REPORT_MONTH = "2026-10"
REPORT_CUSTOMERS = 20_000

# Writes a month of desk activity straight through sqlite3: the figures, not the
# seeding, are what is measured.
FILL = """
import json, random, sqlite3, sys
from datetime import UTC, datetime, timedelta
random.seed(6)
connection = sqlite3.connect(sys.argv[1])
calls, messages = int(sys.argv[2]), int(sys.argv[3])
start = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 1 October 00:00 in Shanghai
def moment():
    return (start + timedelta(seconds=random.randrange(31 * 86400))).strftime(
        "%Y-%m-%d %H:%M:%S.%f")
customers = [r[0] for r in connection.execute("SELECT id FROM customer")]
vehicles = [r[0] for r in connection.execute("SELECT id FROM vehicle")]
agents = [r[0] for r in connection.execute("SELECT id FROM agent")]
kinds = ["sales_callback", "care_call", "service_callback", "maintenance_call",
         "first_service_call", "campaign_call", "complaint_followup"]
statuses = ["done"] * 6 + ["open", "unreachable", "cancelled"]
tasks = []
for i in range(calls // 3):
    due = f"2026-10-{1 + i % 31:02d}"
    status = random.choice(statuses)
    tasks.append((1, random.choice(kinds), "phone", f"bench:{i}", "2026-10",
                  random.choice(customers), random.choice(vehicles), due, due, status, "bench",
                  "{}", random.choice(agents), 1, None if status == "open" else moment(),
                  moment(), moment(), 0))
connection.executemany(
    "INSERT INTO followup_task (store_id, kind, channel, subject, cycle, customer_id,"
    " vehicle_id, window_start, due_date, status, reason, details, agent_id, attempts,"
    " closed_at, created_at, updated_at, late) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    tasks)
task_ids = [r[0] for r in connection.execute("SELECT id FROM followup_task")]
outcomes = ["reached"] * 6 + ["no_answer", "no_answer", "busy", "callback_later"]
tags = ["等待维修时间过长", "服务态度不够热情", "价格偏高", "配件缺货"]
attempts = []
for i in range(calls):
    outcome = random.choice(outcomes)
    rated = outcome == "reached" and random.random() < 0.7
    attempts.append((
        random.choice(task_ids) if i % 2 else None, random.choice(customers),
        random.choice(agents), moment(), outcome, random.randint(1, 5) if rated else None, 0,
        json.dumps([random.choice(tags)] if rated and random.random() < 0.1 else [],
                   ensure_ascii=False)))
connection.executemany(
    "INSERT INTO contact_attempt (task_id, customer_id, agent_id, attempted_at, outcome,"
    " satisfaction, mileage_forced, tags) VALUES (?,?,?,?,?,?,?,?)", attempts)
sms_kinds = ["first_service_sms", "reminder_fallback", "birthday_sms", "holiday_sms",
             "campaign_sms"]
sms_statuses = ["delivered"] * 8 + ["sent", "undelivered", "failed", "queued"]
rows = []
for i in range(messages):
    status = random.choice(sms_statuses)
    sent = None if status == "queued" else moment()
    rows.append((1, random.choice(customers), random.choice(vehicles), random.choice(sms_kinds),
                 "marketing", f"bench:{i}", "2026-10", "+8613800000000", "bench", "bench",
                 status, 1, 0, moment(), sent, moment()))
connection.executemany(
    "INSERT INTO sms_message (store_id, customer_id, vehicle_id, kind, category, subject,"
    " cycle, to_phone, body, reason, status, segments, send_attempts, queued_at, sent_at,"
    " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
complaints = []
for i in range(2000):
    received = moment()
    done = random.random() < 0.7
    complaints.append((1, random.choice(customers), random.choice(agents),
                       random.choice(["waiting_time", "staff_attitude", "vehicle_quality"]),
                       "service", "bench", "resolved" if done else "open", received,
                       received, received if done else None, 0))
connection.executemany(
    "INSERT INTO complaint (store_id, customer_id, agent_id, category, department, text,"
    " status, received_at, first_response_at, resolved_at, reopened)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?)", complaints)
connection.executemany(
    "INSERT INTO inquiry (store_id, phone, topic, new_lead, received_at) VALUES (?,?,?,?,?)",
    [(1, "+8613900000000", random.choice(["model", "price", "service"]), i % 5 == 0, moment())
     for i in range(5000)])
connection.commit()
"""

SUMMARISE = """
import json, sys, time
from datetime import UTC, datetime
from crm import db
from crm.config import Settings
from crm.models import Store
from crm.report import Month, build_report, render
engine = db.make_engine(sys.argv[1])
now = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 November, 07:00 in Shanghai
with db.session(engine) as session:
    store = session.get(Store, 1)
    started = time.perf_counter()
    report = build_report(session, store, Month.parse(sys.argv[2]), Settings(), now)
    figures = time.perf_counter() - started
    timings = {}
    for fmt in ("json", "md", "html", "xlsx"):
        begun = time.perf_counter()
        render(report, fmt)
        timings[fmt] = time.perf_counter() - begun
print(json.dumps({"seconds": figures, "render": timings,
                  "calls": report.current["calls_made"], "sms": report.current["sms_sent"]}))
"""


def bench_report(workdir: Path, calls: int = 300_000, messages: int = 50_000) -> None:
    path = workdir / "report.db"
    db = f"sqlite:///{path}"
    crm("init", db=db)
    console.print(f"seeding a month of {calls:,} calls and {messages:,} messages …")
    seeded = crm(
        "demo", "seed", "--customers", str(REPORT_CUSTOMERS), "--today", "2026-11-01", db=db
    )
    if seeded.returncode:
        sys.exit(f"seeding failed: {seeded.stderr}")
    for source, args in (
        (FILL, [str(path), str(calls), str(messages)]),
        (SUMMARISE, [db, REPORT_MONTH]),
    ):
        result = subprocess.run(
            [PYTHON, "-c", source, *args], capture_output=True, text=True, check=False, cwd=CODE
        )
        if result.returncode:
            sys.exit(f"report benchmark failed: {result.stderr}")
    figures = json.loads(result.stdout)
    rendering = ", ".join(f"{fmt} {s:.2f} s" for fmt, s in figures["render"].items())
    print(
        f"report: month summary of {figures['calls']:,} call attempts and {messages:,} "
        f"messages ({figures['sms']:,} sent) in {figures['seconds']:.2f} s (target < 10 s); "
        f"rendering {rendering}"
    )
    floor = median([script(FIGURES_ONLY, db, REPORT_MONTH)[0]["cpu"] for _ in range(3)])
    command = median(
        [
            crm_cpu("--db", db, "report", "monthly", REPORT_MONTH, "--format", "json")
            for _ in range(3)
        ]
    )
    show(
        "report.json_command",
        "  `crm report monthly --format json`, whole command (floor: its figures in process)",
        command,
        floor=floor,
    )


# The report's floor: its core figures, computed in process with the imports they need.
FIGURES_ONLY = """
import json, sys, time
started = time.process_time()
from datetime import UTC, datetime
from crm import db
from crm.config import Settings
from crm.models import Store
from crm.report import Month, build_report
engine = db.make_engine(sys.argv[1])
with db.session(engine) as session:
    report = build_report(session, session.get(Store, 1), Month.parse(sys.argv[2]), Settings(),
                          datetime(2026, 10, 31, 23, 0, tzinfo=UTC))
    report.as_json()
print(json.dumps({"cpu": time.process_time() - started}))
"""


def bench_startup() -> None:
    """`crm --help` beside the interpreter alone and the one package it needs (click)."""
    from figures import run

    def cpu(*args: str) -> float:
        return median([run([PYTHON, *args])[1] for _ in range(5)])

    bare, click = cpu("-c", "pass"), cpu("-c", "import click")
    show("startup.python", "startup: `python -c pass`", bare)
    show("startup.click", "startup: `python -c 'import click'`", click)
    show("startup.help", "startup: `crm --help`", cpu(str(CODE / "cli.py"), "--help"), floor=click)


SMS_MESSAGES = 10_000

SMS_QUEUE = """
import sys
from datetime import UTC, datetime
from sqlalchemy import update
from crm import db
from crm.models import Customer, SmsMessage, Store
engine = db.make_engine(sys.argv[1])
with db.session(engine) as session:
    session.execute(update(Store).values(timezone=sys.argv[3]))
    customers = [
        Customer(store_id=1, customer_code=f"S{n:06d}", name="王伟", phone=f"+86138{n:08d}")
        for n in range(int(sys.argv[2]))
    ]
    session.add_all(customers)
    session.flush()
    session.add_all(
        SmsMessage(store_id=1, customer_id=c.id, kind="first_service_sms", category="service",
                   subject=f"vehicle:{c.id}", cycle="delivery", to_phone=c.phone,
                   body=sys.argv[4].format(code=c.customer_code),
                   reason="bench")
        for c in customers
    )
    session.commit()
"""


# The text each provider is sent: Twilio takes free text; Aliyun and Tencent take an
# approved template's code and slot values (Tencent batches only numbers sharing values).
SMS_BODY = "{code}王先生您好，您的爱车已到首保时间，欢迎来电预约。"
SMS_APPROVED = (
    "\n[sms.approved.first_service_sms]\n"
    'code = "{code}"\ncategory = "notice"\n'
    'text = "{slot}您好，您的爱车已到首保时间，欢迎来电预约。"\n'
)


def bench_sms(workdir: Path) -> None:

    sys.path.insert(0, str(ROOT))
    from tests import fake_aliyun, fake_tencent
    from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

    twilio = FakeTwilio().start()
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_URL": twilio.url,
    }
    send_bench(workdir, "twilio", "", env, twilio, "【示例汽车4S店】" + SMS_BODY, "one a call")
    aliyun = fake_aliyun.FakeAliyun().start()
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": fake_aliyun.ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": fake_aliyun.ACCESS_KEY_SECRET,
        "ALIYUN_SMS_ENDPOINT": aliyun.url,
    }
    section = '[sms.aliyun]\nsign_name = "示例汽车"\n'
    section += SMS_APPROVED.format(code="SMS_100", slot="${customer}")
    send_bench(
        workdir, "aliyun", section, env, aliyun, SMS_BODY, "SendBatchSms, up to 100 numbers a call"
    )
    tencent = fake_tencent.FakeTencent().start()
    env = {
        "TENCENTCLOUD_SECRET_ID": fake_tencent.SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": fake_tencent.SECRET_KEY,
        "TENCENT_SMS_ENDPOINT": tencent.url,
    }
    section = f'[sms.tencent]\nsign_name = "示例汽车"\nsdk_app_id = "{fake_tencent.SDK_APP_ID}"\n'
    section += SMS_APPROVED.format(code="100001", slot="{1}")
    section += 'slots = { "1" = "customer" }\n'
    # Tencent batches numbers that share slot values: the same greeting for everyone …
    send_bench(
        workdir,
        "tencent",
        section,
        env,
        tencent,
        SMS_BODY.replace("{code}王先生", "尊敬的客户"),
        "SendSms, up to 200 numbers sharing values a call",
    )
    # … while a message with the customer's own name goes one number a call.
    send_bench(workdir, "tencent", section, env, tencent, SMS_BODY, "one a call: own values")


def send_bench(workdir, backend, section, env, fake, body, how) -> None:
    """Queue SMS_MESSAGES messages and send them all to `fake` through `backend`'s client."""
    import os
    from datetime import UTC, datetime

    db_file = workdir / f"sms-{backend}.db"
    db_file.unlink(missing_ok=True)
    db = f"sqlite:///{db_file}"
    crm("init", db=db)
    offset = 12 - datetime.now(UTC).hour  # a store zone where it is now midday: in the window
    zone = "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"
    queued = subprocess.run(
        [PYTHON, "-c", SMS_QUEUE, db, str(SMS_MESSAGES), zone, body], cwd=CODE, capture_output=True
    )
    if queued.returncode:
        sys.exit(f"queueing failed: {queued.stderr.decode()}")
    config = workdir / "sms.toml"
    config.write_text(
        f'[sms]\nbackend = "{backend}"\nrate_per_second = 1000000.0\nconcurrency = 8\n'
        # No per-number allowance in the way: the bench sends one message a number anyway.
        + section,
        encoding="utf-8",
    )
    before = len(fake.outbound())
    requests_before = len(getattr(fake, "requests", ())) or getattr(fake, "posts", 0)
    console.print(f"sending {SMS_MESSAGES:,} messages through {backend} ({how}) …")
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, str(ROOT / "cli.py"), "--db", db, "--config", str(config)]
        + ["sms", "send", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=CODE,
        env=os.environ | env,
    )
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"sms send through {backend} failed: {result.stderr}")
    sent = json.loads(result.stdout)["sent"]
    received = len(fake.outbound()) - before
    calls = (len(getattr(fake, "requests", ())) or getattr(fake, "posts", 0)) - requests_before
    print(
        f"sms {backend}: {sent:,} messages sent ({received:,} received by the local server "
        f"in {calls:,} calls; {how}) in {elapsed:.1f} s = {sent / elapsed:,.0f} messages/s "
        "(concurrency 8, rate limit lifted)"
    )


def main() -> None:
    args = sys.argv[1:]
    save_to = None
    if "--save" in args:
        at = args.index("--save")
        save_to = args[at + 1]
        del args[at : at + 2]
    steps = {"seed", "import", "startup", "planning", "calls", "report", "console"}
    steps |= {"dashboard", "sms", "webhooks", "workers"}
    which = set(args) or steps
    if which - steps:
        sys.exit(f"unknown step {', '.join(sorted(which - steps))}; the steps: {', '.join(steps)}")
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        workdir = Path(tmp)
        if "seed" in which:
            bench_seed(workdir, 100_000)
        if "import" in which:
            bench_import(workdir, 50_000)
            bench_import(workdir, 500_000)
            bench_import_postgres(workdir, 200_000)
        if "startup" in which:
            bench_startup()
        if "planning" in which:
            bench_planning(workdir, seeded_group())
        if "calls" in which:
            bench_calls(workdir)
        if "report" in which:
            bench_report(workdir)
        if "console" in which:
            from console_bench import bench_console

            sys.path.insert(0, str(ROOT))
            bench_console(workdir, seeded_group(), crm, PLAN, PLAN_DAY)
        if "dashboard" in which:
            from dashboard_bench import bench_dashboard

            sys.path.insert(0, str(ROOT))
            bench_dashboard(workdir, seeded_group(), crm, PLAN, PLAN_DAY)
        if "sms" in which:
            bench_sms(workdir)
        if "webhooks" in which:
            from webhooks_bench import bench_webhooks

            bench_webhooks(workdir)
        if "workers" in which:
            from workers import bench_workers

            bench_workers(workdir)
    if save_to:
        save(save_to)


if __name__ == "__main__":
    main()

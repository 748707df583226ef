"""`python bench/run.py dashboard`: the manager's dashboard of the 1,000,000-vehicle group.

The group (bench/run.py seeds it once into .bench/) is planned for PLAN_DAY, then store
demo is given a busy month and the month before it, in its own clock's months as the
console reads them: 40,000 call attempts a month (4 agents, more than they can make),
20,000 messages, 600 complaints (a third still open). The dashboard is then timed over
real HTTP on loopback for the store's manager and for an admin (every store's job
health), median and p95 of the server's own time (target: < 1 s).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import httpx
from console_bench import PASSWORD, count, percentile, planned, serving
from console_load import CSRF

SAMPLES = 30
CALLS_A_MONTH = 40_000
MESSAGES = 20_000
COMPLAINTS = 600

# A month of desk activity straight through sqlite3, as bench/run.py's report fill does:
# the dashboard, not the filling, is what is measured.
FILL = """
import json, random, sqlite3, sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
random.seed(13)
connection = sqlite3.connect(sys.argv[1])
calls, messages, complaints = (int(n) for n in sys.argv[2:5])
zone = ZoneInfo("Asia/Shanghai")
now = datetime.now(zone)
this = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
last = (this - timedelta(days=1)).replace(day=1)
def moment(start, end):
    seconds = max(1, int((end - start).total_seconds()))
    instant = start + timedelta(seconds=random.randrange(seconds))
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
store = connection.execute("SELECT id FROM store WHERE code = 'demo'").fetchone()[0]
customers = [r[0] for r in connection.execute(
    "SELECT id FROM customer WHERE store_id = ? ORDER BY random() LIMIT 50000", (store,))]
agents = [r[0] for r in connection.execute("SELECT id FROM agent WHERE store_id = ?", (store,))]
tasks = [r[0] for r in connection.execute(
    "SELECT id FROM followup_task WHERE store_id = ? LIMIT 50000", (store,))]
outcomes = ["reached"] * 6 + ["no_answer", "no_answer", "busy", "callback_later"]
attempts = []
for start, end in ((last, this), (this, now)):
    for i in range(calls):
        outcome = random.choice(outcomes)
        rated = outcome == "reached" and random.random() < 0.7
        attempts.append((random.choice(tasks) if tasks and i % 2 else None,
                         random.choice(customers), random.choice(agents), moment(start, end),
                         outcome, random.randint(1, 5) if rated else None, 0, "[]"))
connection.executemany(
    "INSERT INTO contact_attempt (task_id, customer_id, agent_id, attempted_at, outcome,"
    " satisfaction, mileage_forced, tags) VALUES (?,?,?,?,?,?,?,?)", attempts)
kinds = ["first_service_sms", "birthday_sms", "holiday_sms", "campaign_sms"]
statuses = ["delivered"] * 8 + ["sent", "undelivered", "failed", "queued"]
rows = []
for i in range(messages):
    status = random.choice(statuses)
    sent = None if status == "queued" else moment(this, now)
    rows.append((store, random.choice(customers), random.choice(kinds), "marketing",
                 f"dashboard-bench:{i}", "bench", "+8613800000000", "bench", "bench", status, 1,
                 -0.0075 if sent else None, 0, moment(this, now), sent, moment(this, now)))
connection.executemany(
    "INSERT INTO sms_message (store_id, customer_id, kind, category, subject, cycle, to_phone,"
    " body, reason, status, segments, price, send_attempts, queued_at, sent_at, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
rows = []
for i in range(complaints):
    received = moment(last, now)
    open_ = i % 3 == 0
    by = datetime.fromisoformat(received).replace(tzinfo=UTC) + timedelta(days=7)
    rows.append((store, random.choice(customers), random.choice(agents),
                 random.choice(["waiting_time", "staff_attitude", "vehicle_quality"]),
                 "after_sales", "bench", "open" if open_ else "resolved", received,
                 None if open_ else received, by.strftime("%Y-%m-%d %H:%M:%S.%f"),
                 None if open_ else received, 0))
connection.executemany(
    "INSERT INTO complaint (store_id, customer_id, agent_id, category, department, text, status,"
    " received_at, first_response_at, resolve_by, resolved_at, reopened)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
connection.commit()
"""


def bench_dashboard(workdir: Path, group: Path, crm, plan_script: str, day: str) -> None:
    """Plan the group, give store demo a busy month, then time the dashboard."""
    path = workdir / "dashboard.db"
    shutil.copy(group, path)
    url = f"sqlite:///{path}"
    crm("init", db=url)  # the cache may be at an older schema
    planned(url, plan_script, day)
    print("filling two months of desk activity for store demo …", file=sys.stderr)
    filled = subprocess.run(
        [sys.executable, "-c", FILL, str(path), str(CALLS_A_MONTH), str(MESSAGES), str(COMPLAINTS)],
        capture_output=True,
        text=True,
    )
    if filled.returncode:
        sys.exit(f"filling failed: {filled.stderr}")
    logins(url)
    open_calls = count(url, "followup_task")
    label = f"{count(url, 'vehicle'):,}-vehicle group on SQLite, {open_calls:,} tasks"
    with serving(url) as base:
        for who in ("m01", "bench-admin"):
            values = time_dashboard(base, who)
            print(
                f"dashboard ({'store demo' if who == 'm01' else 'admin, every store'}), {label}: "
                f"server median {statistics.median(values):.0f} ms, "
                f"p95 {percentile(values, 0.95):.0f} ms (n={len(values)}; target < 1 s)"
            )


def logins(url: str) -> None:
    """The demo's manager with the bench's password, and an admin."""
    from crm.actions import users
    from crm.app import App
    from crm.config import Settings

    app = App(settings=Settings(), database_url=url)
    users.reset_password(app, "m01", PASSWORD)
    users.add_user(app, "bench-admin", "管理员", "admin", PASSWORD)
    app.engine.dispose()


def time_dashboard(base: str, code: str) -> list[float]:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        client.post(
            "/login",
            data={"username": code, "password": PASSWORD, "csrf_token": token},
            headers={"Origin": base},
        )
        for _ in range(3):
            client.get("/dashboard")  # warm-up: caches, the pool's connections
        timings = []
        for _ in range(SAMPLES):
            answer = client.get("/dashboard")
            if answer.status_code != 200 or 'id="agents-today"' not in answer.text:
                sys.exit(f"/dashboard for {code}: HTTP {answer.status_code}")
            timings.append(float(answer.headers["server-timing"].split("=", 1)[1]))
    return timings

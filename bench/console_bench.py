"""`python bench/run.py console`: the agents' console, timed over real HTTP on loopback.

1. Pages: My day and the call card for agent a01 of store demo (about 3,600 open calls)
   in the 1,000,000-vehicle group on SQLite; median and p95 of the server's time, read
   from the Server-Timing header bench/console_server.py adds (targets: My day < 300 ms,
   the card < 200 ms, medians).
2. Load: 20 agents at once for 60 s (bench/console_load.py), on that SQLite group and on
   a smaller group on PostgreSQL (target: p95 < 1 s, no error, no lost write).

The group is planned for PLAN_DAY, while the console shows each store's real today
(it reads the clock, and nothing here freezes it): the planned calls are still open on
any later day, so the list is the planned day's, every call shown overdue. Planning the
real today instead would make the list depend on the date the bench runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from console_load import CSRF, ROW, Tally, work

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "bench-console-pass"
STORES_WORKING = 5  # their 4 agents each: the 20 agents of the load
SAMPLES = 30  # of each page, after a warm-up
LOAD_SECONDS = 60
# Seconds an agent waits before each request, on average. 0, the default, is the strict
# reading of the issue (every agent clicks again the moment a page arrives): a stress test
# of 20 agents working without a pause; a person at a headset takes tens of seconds a call.
PAUSE = float(os.environ.get("CRM_BENCH_AGENT_PAUSE", "0"))
PG_URL = os.environ.get("CRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "bench_console"
# Seeding PostgreSQL through the product goes at about 800 customers a second here: the
# whole group would take 20 minutes, so the load on PostgreSQL uses a smaller one.
PG_CUSTOMERS_PER_STORE = 10_000


def bench_console(workdir: Path, group: Path, crm, plan_script: str, day: str) -> None:
    """Both databases: prepare, serve, time the pages, run the load, check every write."""
    path = workdir / "console.db"
    shutil.copy(group, path)
    url = f"sqlite:///{path}"
    crm("init", db=url)  # the cache may be at an older schema: the console's tables come here
    planned(url, plan_script, day)
    vehicles = count(url, "vehicle")
    console_on(url, f"SQLite, {vehicles:,}-vehicle group", pages_too=True)
    if os.environ.get("CRM_BENCH_SKIP_PG"):
        return
    pg = f"{PG_URL}?options={quote(f'-csearch_path={PG_SCHEMA}')}"
    schema(PG_SCHEMA, drop_first=True)
    try:
        crm("init", db=pg)
        for n in range(1, STORES_WORKING + 1):
            code = "demo" if n == 1 else f"g{n:02d}"
            if n > 1:
                crm("stores", "add", code, "--name", f"集团{n}号店", db=pg)
            print(f"seeding {code} on PostgreSQL …", file=sys.stderr)
            seeded = crm(
                "demo", "seed", "--store", code, "--customers", str(PG_CUSTOMERS_PER_STORE),
                "--seed", str(n), "--today", day, db=pg,
            )  # fmt: skip
            if seeded.returncode:
                sys.exit(f"seeding PostgreSQL failed: {seeded.stderr}")
        planned(pg, plan_script, day)
        customers = STORES_WORKING * PG_CUSTOMERS_PER_STORE
        label = f"PostgreSQL, {STORES_WORKING} stores × {PG_CUSTOMERS_PER_STORE:,} customers"
        console_on(pg, f"{label} = {count(pg, 'vehicle'):,} vehicles ({customers:,} customers)",
                   pages_too=True)  # fmt: skip
    finally:
        schema(PG_SCHEMA, drop_first=True, create=False)


def console_on(url: str, label: str, pages_too: bool) -> None:
    pairs = agent_logins(url)
    with serving(url) as base:
        if pages_too:
            time_pages(base, pairs[0][0], label)
        mark, counters = before_load(url)
        print(f"load: {len(pairs) * 2} agents for {LOAD_SECONDS} s …", file=sys.stderr)
        tally, seconds = work(base, pairs, PASSWORD, LOAD_SECONDS, PAUSE)
    report_load(url, label, tally, seconds, mark, counters)


def planned(url: str, plan_script: str, day: str) -> None:
    print(f"planning {day} …", file=sys.stderr)
    result = subprocess.run(
        [PYTHON, "-c", plan_script, url, day], capture_output=True, text=True, cwd=ROOT
    )
    if result.returncode:
        sys.exit(f"planning failed: {result.stderr}")


def agent_logins(url: str) -> list[tuple[str, str]]:
    """A login for each agent of the first stores, in pairs of colleagues (store by store).

    Agent codes repeat from store to store (a01 … a04 each) but login codes are unique
    across the database, so the other stores' agents are renamed `g02-a01` and so on.
    """
    from sqlalchemy import text

    from crm.actions import users
    from crm.app import App
    from crm.config import Settings

    app = App(settings=Settings(), database_url=url)
    with app.engine.begin() as connection:
        stores = connection.execute(
            text("SELECT id, code FROM store ORDER BY id LIMIT :n"), {"n": STORES_WORKING}
        ).all()
        agents = []
        for store_id, store in stores:
            for agent_id, code in connection.execute(
                text("SELECT id, code FROM agent WHERE store_id = :s ORDER BY code LIMIT 4"),
                {"s": store_id},
            ):
                login = (
                    code if store == "demo" or code.startswith(f"{store}-") else f"{store}-{code}"
                )
                if login != code:
                    connection.execute(
                        text("UPDATE agent SET code = :c WHERE id = :i"),
                        {"c": login, "i": agent_id},
                    )
                agents.append((store, login))
        existing = set(connection.execute(text("SELECT code FROM app_user")).scalars())
    for store, code in agents:
        if code in existing:  # the demo seed's own logins: give them the bench's password
            users.reset_password(app, code, PASSWORD)
        else:
            users.add_user(app, code, f"坐席{code}", "agent", PASSWORD, store)
    app.engine.dispose()
    return [(agents[i][1], agents[i + 1][1]) for i in range(0, len(agents), 2)]


@contextmanager
def serving(url: str):
    """The console on a free loopback port; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"CRM_SECRET_KEY": "bench-" + "x" * 40}
    server = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "console_server.py"), url, str(port)], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit("the console did not start")
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the console did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def time_pages(base: str, code: str, label: str) -> None:
    """My day and the card, one request at a time, for one agent signed in."""
    timings: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        client.post(
            "/login",
            data={"username": code, "password": PASSWORD, "csrf_token": token},
            headers={"Origin": base},
        )
        day = client.get("/day")
        due = int(day.text.split('data-count="due">', 1)[1].split("<", 1)[0])
        ids = [int(i) for i, _row in ROW.findall(day.text)]
        if day.status_code != 200 or not ids:
            sys.exit(
                f"My day of {code} is empty or failed (HTTP {day.status_code}): nothing to time"
            )
        pages = {
            "My day (whole page)": ["/day"] * SAMPLES,
            "My day (list fragment, htmx)": ["/day?page=2"] * SAMPLES,
            "call card (fragment, htmx: a click in the list)": [
                f"/calls/{i}" for i in ids[:SAMPLES]
            ],
            "call card (whole page: card + My day)": [f"/calls/{i}" for i in ids[-SAMPLES:]],
        }
        for name, urls in pages.items():
            htmx = {"HX-Request": "true"} if "htmx" in name else {}
            for url in urls[:3]:
                client.get(url, headers=htmx)  # warm-up: caches, the pool's connections
            for url in urls:
                response = client.get(url, headers=htmx)
                if response.status_code != 200:
                    sys.exit(f"{url}: HTTP {response.status_code}")
                server = float(response.headers["server-timing"].split("=", 1)[1])
                timings.setdefault(name, []).append(server)
    print(f"console pages, {label}: agent {code}, {due:,} calls on My day, one request at a time")
    for name, values in timings.items():
        print(
            f"  {name}: server median {statistics.median(values):.0f} ms, "
            f"p95 {percentile(values, 0.95):.0f} ms (n={len(values)})"
        )


def before_load(url: str) -> tuple[int, dict[int, int]]:
    """The last attempt's id, and each task's tries so far: what the load's writes add to."""
    from sqlalchemy import text

    from crm import db

    engine = db.make_engine(url)
    with engine.connect() as connection:
        mark = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM contact_attempt")).scalar()
        counters = dict(
            connection.execute(
                text("SELECT id, attempts FROM followup_task WHERE attempts > 0")
            ).all()
        )
    engine.dispose()
    return mark, counters


def report_load(url: str, label: str, tally: Tally, seconds: float, mark: int, counters) -> None:
    """The load's figures, and whether the database holds exactly the writes answered saved."""
    from sqlalchemy import text

    from crm import db

    engine = db.make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.id, a.task_id, a.agent_id, t.agent_id, t.attempts FROM contact_attempt a"
                " JOIN followup_task t ON t.id = a.task_id WHERE a.id > :mark ORDER BY a.id"
            ),
            {"mark": mark},
        ).all()
        found = connection.execute(
            text("SELECT COUNT(*) FROM contact_attempt WHERE id > :mark"), {"mark": mark}
        ).scalar()
    engine.dispose()
    tasks: dict[int, list] = {}
    for _id, task, by, owner, tries in rows:
        tasks.setdefault(task, []).append((by, owner, tries))
    lost_counts = sum(
        1 for t, logs in tasks.items() if logs[0][2] - counters.get(t, 0) != len(logs)
    )
    by_two = [logs for logs in tasks.values() if len({by for by, _o, _t in logs}) > 1]
    # A colleague's log is taken only once the holder's own save has let the call go.
    holder_first = sum(1 for logs in by_two if logs[0][0] == logs[0][1])
    working = [kind for kind in ("day", "card", "log") if tally.timings[kind]]
    requests = sum(len(tally.timings[kind]) for kind in working)
    every = [s for kind in working for s in tally.timings[kind]]
    print(
        f"console load, {label}: {len(tally.timings['login'])} agents × {seconds:.0f} s "
        f"({f'{PAUSE:g} s pause on average before each request' if PAUSE else 'no pause'}), "
        f"{requests:,} requests = {requests / seconds:.1f} requests/s, "
        f"{len(tally.errors)} errors; all requests p95 {percentile(every, 0.95) * 1000:.0f} ms "
        "(target < 1 s)"
    )
    for kind in ["login", *working]:
        values = tally.timings[kind]
        server = tally.server_ms[kind]
        print(
            f"  {kind:5}: n={len(values):5,}  p50 {percentile(values, 0.5) * 1000:4.0f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:4.0f} ms  max {max(values) * 1000:5.0f} ms"
            f"  (server p50 {percentile(server, 0.5):.0f} ms)"
        )
    print(
        f"  writes: {tally.saved:,} logs answered saved, {found:,} ContactAttempt rows found; "
        f"{lost_counts} tasks whose try counter disagrees with their rows; "
        f"{len(by_two)} tasks logged by two agents, {holder_first} of them by the holder first"
    )
    print(
        f"  a partner's held call logged anyway: {tally.held_tries} tries, "
        f"{tally.held_refused} refused as held, {tally.held_taken} taken after the holder "
        f"saved it meanwhile, {tally.held_closed} refused as closed meanwhile (not held when "
        f"opened, so nothing posted: {tally.partner_free})"
    )
    for error in tally.errors[:10]:
        print(f"  error: {error}")


def count(url: str, table: str) -> int:
    from sqlalchemy import text

    from crm import db

    engine = db.make_engine(url)
    with engine.connect() as connection:
        total = connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
    engine.dispose()
    return total


def schema(name: str, drop_first: bool, create: bool = True) -> None:
    """PostgreSQL: the bench's own schema, emptied (left over from a stopped run) or dropped."""
    from sqlalchemy import text

    from crm import db

    engine = db.make_engine(PG_URL)
    with engine.begin() as connection:
        if drop_first:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        if create:
            connection.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

"""Planning figures: the first run of a day, the same day again, and how both grow.

On SQLite at 10,000, 100,000 and 1,000,000 vehicles (one store of 9,250 or 92,500
customers, or the ten-store group), and on PostgreSQL at 100,000 and 1,000,000 when
CRM_BENCH_PG names a server (`postgresql://postgres@127.0.0.1:5432/test`: the bench
makes databases of its own there). Seeded stores are kept (`.bench/` files,
`crm_bench_*` databases). Each figure is the CPU seconds of the planning call in its
process (imports it makes included), beside a floor of `bench/floors.py`: the first run
against the floor replaying its queries on a second fresh copy (which must leave the
same calls and messages, checked column by column), the same day again (the median of
three) against the floor that reads only what changed (which must and does create
nothing either).
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import shutil
import time
from pathlib import Path

from figures import CODE, ROOT, crm_cpu, median, script, show

PLAN_DAY = "2026-11-30"
NEXT_DAY = "2026-12-01"
GROUP = ROOT / ".bench" / "group-10x92500.db"  # run.py seeds it
GROUP_STORES, GROUP_CUSTOMERS = 10, 92_500  # as run.py's group: about 100,000 vehicles a store
FLOORS = ROOT / "bench" / "floors.py"

PLAN = """
import json, sys, time
from datetime import date
from crm.actions.planning import plan
from crm.app import App
from crm.config import Settings
app = App(settings=Settings(), database_url=sys.argv[1])
app.engine  # opening the database is not planning
started = time.process_time()
results = plan(app, day=date.fromisoformat(sys.argv[2]))
print(json.dumps({"cpu": time.process_time() - started,
                  "created": sum(sum(r.created.values()) for r in results)}))
"""


# The first run, with every query it sends kept for the floor to replay.
TRACED_PLAN = """
import json, pickle, sys, time
from datetime import date
from sqlalchemy import event
from crm.actions.planning import plan
from crm.app import App
from crm.config import Settings
app = App(settings=Settings(), database_url=sys.argv[1])
sent = []
def keep(connection, cursor, statement, parameters, context, many):
    sent.append((statement, parameters, many))
event.listen(app.engine, "before_cursor_execute", keep)
started = time.process_time()
results = plan(app, day=date.fromisoformat(sys.argv[2]))
cpu = time.process_time() - started
with open(sys.argv[3], "wb") as file:
    pickle.dump(sent, file)
print(json.dumps({"cpu": cpu, "created": sum(sum(r.created.values()) for r in results)}))
"""


def seeded_store(customers: int) -> Path:
    """One store of `customers` customers on SQLite, seeded once and kept in .bench/."""
    cache = ROOT / ".bench" / f"store-{customers}.db"
    if not cache.exists():
        cache.parent.mkdir(exist_ok=True)
        building = cache.with_suffix(".building")
        building.unlink(missing_ok=True)
        url = f"sqlite:///{building}"
        crm_cpu("--db", url, "init")
        crm_cpu("--db", url, "demo", "seed", "--customers", str(customers), "--today", PLAN_DAY)
        building.rename(cache)
        age_the_seed()
    return cache


def age_the_seed() -> None:
    """Wait until a fresh seed is older than the planner's overlap (2 minutes).

    Rows stamped within it of a run count as new to the next run, so planning a store
    seeded a moment ago would read all of it again: not the case being measured.
    """
    time.sleep(125)


def sqlite_copy(source: Path, workdir: Path, name: str = "planning") -> str:
    path = workdir / f"{name}.db"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)  # a stale WAL would be replayed onto the copy
    shutil.copy(source, path)
    url = f"sqlite:///{path}"
    crm_cpu("--db", url, "init")  # a cache seeded by an older version gets its migrations
    return url


def postgres_copy(server: str, customers: int, stores: int = 1, copy: str = "run") -> str:
    """A fresh copy of a PostgreSQL store (or a group of `stores` such stores, as the
    SQLite group) seeded once by the measured code, kept as a template database."""
    import psycopg

    # Keyed by the code's setup action: seeding code that analyses its tables gets its own.
    key = hashlib.sha1((CODE / "crm/actions/setup.py").read_bytes()).hexdigest()[:8]
    size = f"{customers}" if stores == 1 else f"{stores}x{customers}"
    template, copy = f"crm_bench_{size}_{key}", f"crm_bench_{size}_{copy}"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(server, autocommit=True) as admin:
        known = {r[0] for r in admin.execute("SELECT datname FROM pg_database")}
        if template not in known:
            admin.execute(f"DROP DATABASE IF EXISTS {template}_building")
            admin.execute(f"CREATE DATABASE {template}_building")
            url = f"{base}/{template}_building"
            crm_cpu("--db", url, "init")
            for n in range(1, stores + 1):
                code = "demo" if n == 1 else f"g{n:02d}"
                if n > 1:
                    crm_cpu("--db", url, "stores", "add", code, "--name", f"集团{n}号店")
                seed = ["--store", code, "--seed", str(n)] if stores > 1 else []
                crm_cpu(
                    "--db", url, "demo", "seed", *seed,
                    "--customers", str(customers), "--today", PLAN_DAY,
                )  # fmt: skip
            admin.execute(f"ALTER DATABASE {template}_building RENAME TO {template}")
            age_the_seed()
        admin.execute(f"DROP DATABASE IF EXISTS {copy}")
        admin.execute(f"CREATE DATABASE {copy} TEMPLATE {template}")
    url = f"{base}/{copy}"
    crm_cpu("--db", url, "init")
    return url


def plan_cpu(url: str, day: str) -> tuple[float, int]:
    figures, _process = script(PLAN, url, day)
    return figures["cpu"], figures["created"]


def first_run_figures(key: str, label: str, url: str, floor_url: str, workdir: Path) -> None:
    """The product's first run of the day, beside the floor replaying its queries on a
    second fresh copy; both copies' calls and messages must then be the same."""
    import floors

    before = floors.last_ids(url)
    trace = workdir / "first-run.pickle"
    figures, _process = script(TRACED_PLAN, url, PLAN_DAY, str(trace))
    sent = pickle.loads(trace.read_bytes())
    rows = floors.new_rows(url, before)
    trace.write_bytes(pickle.dumps({"statements": sent, "rows": rows}))
    floor, _process = script(FLOORS.read_text(), "first_run", floor_url, str(trace))
    trace.unlink()
    everything = dict.fromkeys(floors.TABLES, 0)
    mine, theirs = floors.new_rows(url, everything), floors.new_rows(floor_url, everything)
    for table in floors.TABLES:
        if mine[table] != theirs[table]:
            raise SystemExit(f"the first-run floor left other {table} rows than the product")
    show(
        f"{key}.first_run",
        f"{label}: first run ({figures['created']:,} created)",
        figures["cpu"],
        floor=floor["cpu"],
    )


def same_day_figures(key: str, label: str, url: str, *, next_day: bool = False) -> float:
    """The same day again (and its floor), optionally the next day."""
    again, floors = [], []
    for _ in range(3):
        cpu, created = plan_cpu(url, PLAN_DAY)
        if created:
            raise SystemExit(f"planning the same day again created {created} rows")
        again.append(cpu)
        floor, _process = script(FLOORS.read_text(), "same_day", url)
        floors.append(floor["cpu"])
    show(f"{key}.same_day", f"{label}: same day again", median(again), floor=median(floors))
    if next_day:
        cpu, created = plan_cpu(url, NEXT_DAY)
        show(f"{key}.next_day", f"{label}: next day ({created:,} created)", cpu)
    return median(again)


def bench_planning(workdir: Path, group: Path) -> None:
    sizes = [
        ("10k", seeded_store(9_250)),
        ("100k", seeded_store(92_500)),
        ("1m", group),
    ]
    again = {}
    for key, source in sizes:
        url = sqlite_copy(source, workdir)
        label = f"planning SQLite {key} vehicles"
        floor_url = sqlite_copy(source, workdir, "floor")
        first_run_figures(f"planning.sqlite.{key}", label, url, floor_url, workdir)
        Path(floor_url.removeprefix("sqlite:///")).unlink()
        again[key] = same_day_figures(f"planning.sqlite.{key}", label, url, next_day=key == "1m")
    growth = math.log(again["1m"] / again["10k"]) / math.log(100)
    show("planning.sqlite.growth", "same day again: growth exponent 10k -> 1M", growth, unit="")
    server = os.environ.get("CRM_BENCH_PG")
    if not server:
        return
    for key, stores in [("100k", 1), ("1m", GROUP_STORES)]:
        url = postgres_copy(server, GROUP_CUSTOMERS, stores)
        floor_url = postgres_copy(server, GROUP_CUSTOMERS, stores, copy="floor")
        label = f"planning PostgreSQL {key} vehicles"
        first_run_figures(f"planning.pg.{key}", label, url, floor_url, workdir)
        same_day_figures(f"planning.pg.{key}", label, url, next_day=key == "1m")

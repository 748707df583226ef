"""Before and after: the rows two versions of the planner create over days of changes.

`python bench/compare.py OLD_TREE` seeds a 3,000-customer store, copies it, and plans
2026-11-30 to 2026-12-06 on both copies, one with the code of OLD_TREE (an older commit
checked out elsewhere), one with this tree's, writing the same changes between mornings
(late deliveries, visits, a customer lost, mileage reported on a call, a birthday
customer imported late). Then it compares every task and every message, column by
column, but for their ids; it exits 1 on the first difference.

Which agent has a call is compared by the rules instead (`--agents-by-rule`), for trees
on either side of the change that writes each new call with its agent (it hands calls
out in another order than the old second write, so the same loads fall on other
agents): every open call has an agent, a customer's open calls have one agent, and the
agents' loads are printed beside the other tree's.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DAYS = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-04", "2026-12-05", "2026-12-06"]

PLAN = """
import sys
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo
from crm.actions.planning import plan
from crm.app import App
from crm.config import Settings
day = date.fromisoformat(sys.argv[2])
now = datetime.combine(day, time(6, 30), ZoneInfo("Asia/Shanghai")).astimezone(UTC)
plan(App(settings=Settings(), database_url=sys.argv[1]), day=day, now=now)
"""


def changes(path: Path, day: str, n: int) -> None:
    """The same facts for both copies, stamped at noon UTC the day before `day`."""
    with sqlite3.connect(path) as db:
        # 12:00 in Shanghai the day before: after that morning's run, before this one's.
        stamp = db.execute("SELECT date(?, '-1 day') || ' 04:00:00.000000'", (day,)).fetchone()[0]
        customers = [r[0] for r in db.execute("SELECT id FROM customer ORDER BY id")]
        cars = [r[0] for r in db.execute("SELECT id, owner_id FROM vehicle ORDER BY id")]
        for k, back in enumerate((1, 3, 9, 31, 95)):  # deliveries, some entered late
            owner = customers[(n * 37 + k * 11) % len(customers)]
            db.execute(
                "INSERT INTO vehicle (store_id, vin, model, plate, delivery_date, owner_id,"
                " created_at, updated_at) VALUES (1, ?, '朗逸', ?, date(?, ?), ?, ?, ?)",
                (
                    f"CMP{n:03d}{k:011d}",
                    f"粤C{n:02d}{k:03d}",
                    day,
                    f"-{back} days",
                    owner,
                    stamp,
                    stamp,
                ),
            )
            car = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            db.execute(
                "INSERT INTO vehicle_ownership (vehicle_id, customer_id, started_on,"
                " recorded_at) VALUES (?, ?, date(?, ?), ?)",
                (car, owner, day, f"-{back} days", stamp),
            )
        # Visits to cars the desk is calling, so that they settle something, and one repair.
        reminded = {
            kind: [
                r[0]
                for r in db.execute(
                    "SELECT vehicle_id FROM followup_task WHERE status = 'open' AND kind = ?"
                    " ORDER BY subject",
                    (kind,),
                )
            ]
            for kind in ("first_service_call", "maintenance_call")
        }
        for k, (kind, among) in enumerate(
            (
                ("first_service", reminded["first_service_call"] or cars),
                ("maintenance", reminded["maintenance_call"] or cars),
                ("repair", cars),
            )
        ):
            car = among[(n * 53 + k * 17) % len(among)]
            owner = db.execute("SELECT owner_id FROM vehicle WHERE id = ?", (car,)).fetchone()[0]
            db.execute(
                "INSERT INTO service_visit (store_id, ro_number, vehicle_id, customer_id,"
                " visit_date, odometer_km, service_type, created_at, updated_at)"
                " VALUES (1, ?, ?, ?, date(?, '-2 days'), ?, ?, ?, ?)",
                (f"CMP{n:03d}{k}", car, owner, day, 5000 + 3000 * k, kind, stamp, stamp),
            )
            db.execute("UPDATE vehicle SET maintenance_predicted_at = NULL WHERE id = ?", (car,))
        called = [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT customer_id FROM followup_task WHERE status = 'open'"
                " ORDER BY customer_id"
            )
        ] or customers
        lost = called[(n * 71) % len(called)]
        db.execute(
            "UPDATE customer SET status = 'lost', updated_at = ? WHERE id = ?", (stamp, lost)
        )
        task = db.execute(
            "SELECT id, customer_id, vehicle_id FROM followup_task WHERE status = 'open'"
            " AND vehicle_id IS NOT NULL ORDER BY kind, subject, cycle LIMIT 1 OFFSET ?",
            (n * 7,),
        ).fetchone()
        if task:
            db.execute(
                "INSERT INTO contact_attempt (task_id, customer_id, attempted_at, outcome,"
                " mileage_km, mileage_forced, tags) VALUES (?, ?, ?, 'reached', 6000, 0, '[]')",
                (task[0], task[1], stamp),
            )
            db.execute(
                "UPDATE vehicle SET maintenance_predicted_at = NULL WHERE id = ?", (task[2],)
            )


def rows(path: Path, table: str, but: tuple[str, ...] = ()) -> list[tuple]:
    with sqlite3.connect(path) as db:
        columns = [
            r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] not in ("id", *but)
        ]
        return db.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY kind, subject, cycle"
        ).fetchall()


def agents(path: Path) -> tuple[int, int, list[int]]:
    """Open calls without an agent, customers whose open calls have several agents, and
    each agent's open calls (fewest first)."""
    with sqlite3.connect(path) as db:
        calls = "FROM followup_task WHERE status = 'open' AND channel = 'phone'"
        nobody = db.execute(f"SELECT count(*) {calls} AND agent_id IS NULL").fetchone()[0]
        split = db.execute(
            f"SELECT count(*) FROM (SELECT customer_id {calls} AND agent_id IS NOT NULL"
            " GROUP BY customer_id HAVING count(DISTINCT agent_id) > 1)"
        ).fetchone()[0]
        loads = [r[0] for r in db.execute(f"SELECT count(*) {calls} GROUP BY agent_id")]
    return nobody, split, sorted(loads)


def main() -> None:
    by_rule = "--agents-by-rule" in sys.argv
    old = Path(next(arg for arg in sys.argv[1:] if not arg.startswith("--"))).resolve()
    but = ("agent_id",) if by_rule else ()
    with tempfile.TemporaryDirectory(prefix="crm-compare-") as tmp:
        seed = Path(tmp) / "seed.db"
        for args in (["init"], ["demo", "seed", "--customers", "3000", "--today", DAYS[0]]):
            subprocess.run(
                [PYTHON, str(ROOT / "cli.py"), "--db", f"sqlite:///{seed}", *args],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
        trees = {"before": old, "after": ROOT}
        paths = {name: Path(tmp) / f"{name}.db" for name in trees}
        for path in paths.values():
            shutil.copy(seed, path)
        for n, day in enumerate(DAYS):
            for name, tree in trees.items():
                if n:
                    changes(paths[name], day, n)
                subprocess.run(
                    [PYTHON, "-c", PLAN, f"sqlite:///{paths[name]}", day],
                    check=True,
                    cwd=tree,
                    env={"PYTHONPATH": str(tree), "PATH": ""},
                )
            for table in ("followup_task", "sms_message"):
                before, after = rows(paths["before"], table, but), rows(paths["after"], table, but)
                if before != after:
                    diff = (
                        next(
                            (i, b, a)
                            for i, (b, a) in enumerate(zip(before, after, strict=True))
                            if b != a
                        )
                        if len(before) == len(after)
                        else (len(before), len(after))
                    )
                    sys.exit(f"{day} {table}: different rows: {diff}")
            tasks = rows(paths["after"], "followup_task", but)
            closed = sum(1 for row in tasks if row[9] != "open")
            print(
                f"{day}: the same {len(tasks):,} tasks ({closed:,} closed) and {len(after):,}"
                f" messages, column by column{' but their agents' if by_rule else ''}"
            )
            if by_rule:
                (nobody, split, loads), (_, _, earlier) = map(agents, paths.values())
                if nobody or split:
                    sys.exit(
                        f"{day}: {nobody} open calls without an agent, {split} customers split"
                    )
                print(f"  every open call has an agent, one per customer; loads {loads}")
                print(f"  (before: {earlier})")


if __name__ == "__main__":
    main()

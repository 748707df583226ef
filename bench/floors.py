"""Floors: the least work a benchmark's job takes, in raw SQL on the same database.

A floor does what the product must do and nothing more, so `make bench` can say how
far the product is from it. `same_day` plans a day planned already: per store it reads
the last finished run, then only the rows written since that run began, each through
the index on its change time (cars, visits, predictions, customers, ownerships,
mileage reported on calls), the calls without an agent and the open complaints, and
records its run. It writes no task and no message: nothing is new, and the bench checks
that the product wrote none either. Run as `python floors.py same_day URL`.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta

OVERLAP = timedelta(minutes=2)  # as the planner: facts stamped just before its last run

PER_STORE = [
    "SELECT id FROM vehicle WHERE store_id = ? AND maintenance_predicted_at IS NULL LIMIT 5000",
    "SELECT id, owner_id, delivery_date FROM vehicle WHERE store_id = ? AND updated_at > ?",
    "SELECT id, vehicle_id, visit_date FROM service_visit WHERE store_id = ? AND updated_at > ?",
    "SELECT id, owner_id, maintenance_due_on FROM vehicle"
    " WHERE store_id = ? AND maintenance_predicted_at > ?",
    "SELECT id, birthday, birthday_calendar FROM customer WHERE store_id = ? AND updated_at > ?",
]
GLOBAL = [
    "SELECT id, vehicle_id, customer_id, started_on FROM vehicle_ownership"
    " WHERE recorded_at > ? AND ended_on IS NULL",
    "SELECT task_id FROM contact_attempt WHERE attempted_at > ? AND mileage_km IS NOT NULL",
    "SELECT id, customer_id, store_id FROM followup_task"
    " WHERE agent_id IS NULL AND status = 'open' AND channel = 'phone'",
]


def connect(url: str):
    """A DB-API connection and its placeholder for `url` (sqlite:///FILE or postgresql://)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///")), "?"
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")), "%s"


def same_day(url: str) -> dict:
    """Plan every store's last planned day again, reading only what changed."""
    started = time.process_time()
    connection, mark = connect(url)
    cursor = connection.cursor()

    def run(sql: str, *params):
        cursor.execute(sql.replace("?", mark), params)
        return cursor.fetchall()

    rows = 0
    stores = [row[0] for row in run("SELECT id FROM store ORDER BY id")]
    for store in stores:
        day, began = run(
            "SELECT day, started_at FROM planning_run WHERE store_id = ? AND finished_at IS NOT"
            " NULL ORDER BY day DESC, started_at DESC LIMIT 1",
            store,
        )[0]
        if isinstance(began, str):  # SQLite keeps UTC text
            began = datetime.fromisoformat(began).replace(tzinfo=UTC)
        since = began - OVERLAP
        if mark == "?":
            since = since.strftime("%Y-%m-%d %H:%M:%S.%f")
        rows += len(run(PER_STORE[0], store))
        for sql in PER_STORE[1:]:
            rows += len(run(sql, store, since))
        for sql in GLOBAL[:2]:
            rows += len(run(sql, since))
        rows += len(run(GLOBAL[2]))
        rows += len(run("SELECT id FROM agent WHERE store_id = ? AND active", store))
        rows += len(run("SELECT id FROM complaint WHERE store_id = ? AND status = 'open'", store))
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if mark == "?" else now
        run_id = run(
            "INSERT INTO planning_run (store_id, day, since, started_at, host, pid, created,"
            " skipped) VALUES (?, ?, ?, ?, 'floor', 0, '{}', '{}') RETURNING id",
            store,
            day,
            day,
            stamp,
        )[0][0]
        connection.commit()
        cursor.execute(
            "UPDATE planning_run SET finished_at = ? WHERE id = ?".replace("?", mark),
            (stamp, run_id),
        )
        connection.commit()
    connection.close()
    return {"cpu": time.process_time() - started, "rows_read": rows, "created": 0}


if __name__ == "__main__":
    print(json.dumps({"same_day": same_day}[sys.argv[1]](sys.argv[2])))

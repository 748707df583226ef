"""Floors: the least work a benchmark's job takes, in raw SQL on the same database.

A floor does what the product must do and nothing more, so `make bench` can say how
far the product is from it. `same_day` plans a day planned already: per store it reads
the last finished run, then only the rows written since that run began, each through
the index on its change time (cars, visits, predictions, customers, ownerships,
mileage reported on calls), the calls without an agent and the open complaints, and
records its run. It writes no task and no message: nothing is new, and the bench checks
that the product wrote none either. Run as `python floors.py same_day URL`.

`first_run` is the database work of a first run of the day and nothing else: on a fresh
copy of the same store it replays, through the bare driver, every query the product's
run sent (as recorded by `bench/planning.py`, same SQL, same parameters, every row
fetched), leaving out the product's own writes of calls and messages; then it writes
the calls and messages the run left, each call with its agent: by one fixed INSERT per
table on SQLite (executemany), by COPY on PostgreSQL (the driver's cheapest way in, as
the product's). The bench then compares both copies' calls and messages, every column of
every row. So product / floor is what the product costs above the database work its
queries need; it does not judge the queries themselves. Run as
`python floors.py first_run URL TRACE`.
"""

from __future__ import annotations

import json
import pickle
import re
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


# The product's writes of calls and messages (and its second write giving calls an agent):
# the floor writes the rows they left instead, once each.
OWN_WRITES = re.compile(r'^\s*(INSERT INTO|UPDATE) "?(followup_task|sms_message)"?\b', re.I)
TABLES = ("followup_task", "sms_message")


def first_run(url: str, trace: str) -> dict:
    """Replay a first run's queries, then write the calls and messages it left."""
    with open(trace, "rb") as file:
        recorded = pickle.load(file)
    started = time.process_time()
    connection, mark = connect(url)
    cursor = connection.cursor()
    replayed = 0
    for statement, parameters, many in recorded["statements"]:
        if OWN_WRITES.match(statement):
            continue
        if many:
            cursor.executemany(statement, parameters)
        else:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        replayed += 1
    written = 0
    for table in TABLES:
        columns, rows = recorded["rows"][table]
        if not rows:
            continue
        names = ", ".join(f'"{name}"' for name in columns)
        if mark == "?":
            marks = ", ".join([mark] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        else:  # the driver's cheapest way in: COPY (executemany costs it more per row)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        written += len(rows)
    connection.commit()
    connection.close()
    return {"cpu": time.process_time() - started, "replayed": replayed, "written": written}


def new_rows(url: str, after: dict[str, int]) -> dict:
    """Each table's rows with an id above `after[table]`, every column, in id order (JSON
    as its text on PostgreSQL, so JSON null and SQL NULL stay apart)."""
    connection, mark = connect(url)
    cursor = connection.cursor()
    found = {}
    for table in TABLES:
        if mark == "?":
            columns = [row[1] for row in cursor.execute(f"PRAGMA table_info({table})")]
            selected = ", ".join(f'"{name}"' for name in columns)
        else:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = %s AND table_schema = current_schema()"
                " ORDER BY ordinal_position",
                (table,),
            )
            typed = cursor.fetchall()
            columns = [name for name, _type in typed]
            selected = ", ".join(
                f'"{name}"::text' if kind in ("json", "jsonb") else f'"{name}"'
                for name, kind in typed
            )
        cursor.execute(
            f"SELECT {selected} FROM {table} WHERE id > {mark} ORDER BY id", (after[table],)
        )
        found[table] = (columns, [tuple(row) for row in cursor.fetchall()])
    connection.close()
    return found


def last_ids(url: str) -> dict[str, int]:
    connection, _mark = connect(url)
    cursor = connection.cursor()
    ids = {}
    for table in TABLES:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        ids[table] = cursor.fetchone()[0]
    connection.close()
    return ids


if __name__ == "__main__":
    floors = {"same_day": same_day, "first_run": first_run}
    print(json.dumps(floors[sys.argv[1]](*sys.argv[2:])))

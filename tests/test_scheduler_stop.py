"""`crm scheduler run` stops cleanly on SIGTERM: exit 0, no traceback, its lock released.

On PostgreSQL it is one `crm worker`: its row says it runs, and that it stopped. `crm
serve --with-scheduler` (what `make run` starts) stops its scheduler too.
"""

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from crm import db


def start_scheduler(database_url: str, tmp_path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    return subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "--db", database_url]
        + ["scheduler", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": os.getcwd()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# A running scheduler's mark: its lock on SQLite, a worker's row on PostgreSQL.
RUNNING = (
    "SELECT (SELECT count(*) FROM scheduler_lock)"
    " + (SELECT count(*) FROM worker WHERE stopped_at IS NULL)"
)


def wait_for_lock(database_url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    engine = db.make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(text(RUNNING)).scalar():
                    return
            time.sleep(0.05)
        process.kill()
        raise AssertionError(f"the scheduler never took its lock: {process.communicate()[1]}")
    finally:
        engine.dispose()


def locks(database_url: str) -> int:
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text(RUNNING)).scalar()
    engine.dispose()
    return count


@pytest.mark.parametrize(
    ("after_lock", "signals"),
    [(0.0, 1), (0.0, 2), (0.3, 1), (0.3, 3), (1.5, 1), (1.5, 2)],
    ids=["at-start", "twice-at-start", "starting", "thrice-starting", "running", "twice-running"],
)
def test_sigterm_stops_the_scheduler_cleanly_every_time(
    database_url, tmp_path, after_lock, signals
):
    process = start_scheduler(database_url, tmp_path)
    wait_for_lock(database_url, process)
    time.sleep(after_lock)
    for _ in range(signals):
        process.send_signal(signal.SIGTERM)
        time.sleep(0.02)

    _out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    assert "scheduler stopped" in err or re.search(r"worker \d+ stopped", err), err
    assert locks(database_url) == 0


def test_sigterm_to_the_console_stops_the_scheduler_beside_it_too(database_url, tmp_path):
    """`kill` of `crm serve --with-scheduler` (not Ctrl-C, which reaches both): the console
    stops, then its scheduler, which releases its lock; no process is left behind."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    serve = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "--db", database_url]
        + ["serve", "--port", str(port), "--with-scheduler"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": os.getcwd()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, so that nothing outlives the test
    )
    try:
        wait_for_lock(database_url, serve)
        serve.send_signal(signal.SIGTERM)
        out, err = serve.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)

    assert serve.returncode == 0, err
    assert "console stopped" in out, err
    assert "scheduler stopped" in err or re.search(r"worker \d+ stopped", err), err
    assert locks(database_url) == 0


def test_the_scheduler_log_carries_twilios_warnings_but_not_its_request_lines():
    from jobs.scheduler import configure_logging

    configure_logging()

    client_log = logging.getLogger("twilio.http_client")
    assert not client_log.isEnabledFor(logging.INFO)
    assert client_log.isEnabledFor(logging.WARNING)

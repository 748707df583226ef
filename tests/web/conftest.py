"""The console's tests: a store's desk as data, a real server on a free port, a real Chromium.

The server runs as `crm serve` in its own process on the real clock, so the data is
built around the store's real today. The browser is Debian's chromium, driven by
Playwright through its `executable_path`; a machine without it fails, never skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.factories import add_agent, add_customer, add_task, add_user, add_vehicle, add_visit

PASSWORD = "correct-horse-1"
SECRET = "a-test-secret-of-at-least-thirty-two-characters"
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
# As the machine's notes say: without the background-networking flags Chromium keeps
# trying to reach Google's hosts through a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CRM_SCREENSHOTS", ROOT / ".artifacts" / "screenshots"))
OUTCOME_KINDS = [
    ("sales_callback", "reached"),
    ("care_call", "no_answer"),
    ("service_callback", "busy"),
    ("first_service_call", "wrong_number"),
    ("maintenance_call", "declined"),
    ("sales_callback", "callback_later"),
]


def store_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture(scope="session")
def password_hash() -> str:
    from crm.access.passwords import hash_password

    return hash_password(PASSWORD)


@dataclass
class Desk:
    """What the tests look for: the calls of agent a01 in order, and the other store's rows."""

    today: date
    calls: list[int] = field(default_factory=list)  # a01's, as the list orders them
    history_task: int = 0
    history_customer: int = 0
    other_store_task: int = 0
    other_store_customer: int = 0
    phone: str = "+8613800138000"


@pytest.fixture
def desk(session, password_hash) -> Desk:
    """Store demo with agents a01 and a02 and manager m01; store north with agent b01."""
    from crm.stores import add_store

    today = store_today()
    data = Desk(today=today)
    agent = add_agent(session, "a01", "李晓梅")
    add_agent(session, "a02", "张雨婷")
    add_user(session, "a01", "agent", password_hash, name="李晓梅")
    add_user(session, "a02", "agent", password_hash, name="张雨婷")
    add_user(session, "m01", "manager", password_hash, name="王建国")
    for n, (kind, _outcome) in enumerate(OUTCOME_KINDS):
        person = add_customer(
            session,
            name=f"客户{n}",
            occupation="教师" if n == 0 else None,
            hobbies="钓鱼" if n == 0 else None,
            phone="+8613800138000" if n == 0 else f"+8613900{n:06d}",
        )
        car = add_vehicle(session, person, today - timedelta(days=200), model="朗逸")
        if n == 0:
            add_visit(session, car, today - timedelta(days=20), 5200)
            data.history_customer = person.id
        task = add_task(
            session,
            person,
            kind,
            today - timedelta(days=6 - n),
            today - timedelta(days=5 - n),  # the first ones overdue, in this order
            vehicle_id=car.id,
            agent_id=agent.id,
        )
        data.calls.append(task.id)
    data.history_task = data.calls[0]
    north = add_store(session, "north", "北区店", "Asia/Shanghai")
    b01 = add_agent(session, "b01", "周敏", store_id=north.id)
    add_user(session, "b01", "agent", password_hash, store_id=north.id, name="周敏")
    stranger = add_customer(session, store_id=north.id, name="北区客户", phone="+8613700000001")
    data.other_store_customer = stranger.id
    data.other_store_task = add_task(
        session, stranger, "care_call", today - timedelta(days=1), today, agent_id=b01.id
    ).id
    return data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def console(database_url, desk, tmp_path):
    """`crm serve` on a free port against the test database; its base URL."""
    port = free_port()
    env = {**os.environ, "CRM_SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    env.pop("CRM_CONFIG", None)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "--db",
            database_url,
            "serve",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"crm serve did not start:\n{(tmp_path / 'serve.log').read_text()}")
        time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)
    log.close()
    # Shown by pytest only when the test failed: what the server said meanwhile.
    print((tmp_path / "serve.log").read_text()[-6000:])


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright; missing, it fails the run rather than skip it."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # every expect's bound (Playwright's default is 5 s)

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (the browser tests need it)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """A new browser window at 1366×768 (the agents' PCs); closed after the test."""
    contexts = []

    def make(viewport=(1366, 768)):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        # Generous bounds, not speed checks: under the full suite's load (worker processes,
        # two test processes, PostgreSQL) a save can take seconds; a benchmark measures speed.
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")


def screenshot(page, name: str, database_url: str) -> None:
    """Keep a picture of the page for the reviewer (one set, from the SQLite run)."""
    if database_url.startswith("sqlite"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

"""Agents working the console at once, over HTTP on loopback, as a browser with htmx would.

Each simulated agent signs in once, then until time is up: opens My day (the whole
page), opens the first call on it that no colleague holds (the card, as a click in the
list fetches it) and logs a result (the card's form, posted by htmx: the answer holds
the next card and the refreshed list). Every fourth round it first tries the call its
partner (the other agent of its pair) has open: the card must say who holds it and the
log must be refused, which is the "being called by" claim under load.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(r'<li class="call[^"]*" data-task-id="(\d+)">(.*?)</li>', re.S)
SAVED = 'id="flash"'  # only the answer to a saved log carries the flash message
HELD = "data-held-by"  # the card of a call someone else holds
REFUSED = "正在拨打此回访"  # a log refused because someone else holds the call
CLOSED = 'data-error-for="outcome"'  # ... because it was closed meanwhile
CONTENTION_EVERY = 4


@dataclass
class Tally:
    """What the agents did and how long each request took (client seconds, server ms)."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    saved: int = 0  # log POSTs answered "saved": each must be one ContactAttempt row
    held_tries: int = 0  # a partner's held call opened and logged anyway
    held_refused: int = 0  # as held: the claim doing its work
    held_taken: int = 0  # the holder saved between our card and our post: the call was free
    held_closed: int = 0  # the holder closed it meanwhile: refused as already done
    partner_free: int = 0  # the partner's call was not held when opened: nothing posted
    logged: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, response: httpx.Response | None) -> None:
        with self.lock:
            self.timings[kind].append(seconds)
            server = response.headers.get("server-timing", "") if response is not None else ""
            if server.startswith("app;dur="):
                self.server_ms[kind].append(float(server.split("=", 1)[1]))


class Agent(threading.Thread):
    def __init__(self, base: str, code: str, password: str, partner: str | None, run, pause):
        super().__init__(name=code, daemon=True)
        self.base, self.code, self.password, self.partner = base, code, password, partner
        self.run_state, self.pause = run, pause
        # Idle connections are dropped before uvicorn's 5 s keep-alive closes them, as
        # browsers do: reusing one the server is closing would fail as a reset.
        limits = httpx.Limits(keepalive_expiry=4)
        self.client = httpx.Client(base_url=base, timeout=60, limits=limits)

    def request(self, kind: str, method: str, url: str, expect: int, **kwargs):
        if kind not in ("login_form", "login") and self.pause:
            # The agent reading, talking, typing: `pause` on average, at random so that
            # the agents, who all start together, do not click in step.
            time.sleep(random.uniform(0, 2 * self.pause))
        started = time.perf_counter()
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.run_state.tally.record(kind, time.perf_counter() - started, None)
            raise Failed(f"{kind} {url}: {type(exc).__name__} {exc}") from None
        self.run_state.tally.record(kind, time.perf_counter() - started, response)
        if response.status_code != expect:
            raise Failed(f"{kind} {url}: HTTP {response.status_code}")
        return response

    def sign_in(self) -> None:
        token = CSRF.search(self.request("login_form", "GET", "/login", 200).text).group(1)
        form = {"username": self.code, "password": self.password, "csrf_token": token}
        self.request("login", "POST", "/login", 303, data=form, headers={"Origin": self.base})

    def open_card(self, task_id: int) -> str:
        """The card as a click fetches it, then its hold (the POST the card sends on load)."""
        card = self.request("card", "GET", f"/calls/{task_id}", 200, headers=HTMX).text
        token = CSRF.search(card)
        if token is None or 'class="claim"' not in card:
            return card  # a closed call: nothing to hold
        form = {"csrf_token": token.group(1)}
        headers = {**HTMX, "Origin": self.base}
        held = self.request(
            "hold", "POST", f"/calls/{task_id}/hold", 200, data=form, headers=headers
        )
        return card + held.text

    def log(self, task_id: int, card: str, outcome: str) -> str:
        form = {"outcome": outcome, "csrf_token": CSRF.search(card).group(1)}
        if outcome == "reached":
            form["satisfaction"] = "5"
        headers = {**HTMX, "Origin": self.base}
        return self.request("log", "POST", f"/calls/{task_id}/log", 200, data=form, headers=headers)

    def round(self, n: int) -> bool:
        """One call worked; False when the list is empty."""
        tally, state = self.run_state.tally, self.run_state
        if self.partner and n % CONTENTION_EVERY == CONTENTION_EVERY - 1:
            self.try_partners_call()
        day = self.request("day", "GET", "/day", 200).text
        free = [int(i) for i, row in ROW.findall(day) if 'class="held"' not in row]
        if not free:
            return False
        task_id = free[0]
        state.open[self.code] = task_id
        card = self.open_card(task_id)
        if HELD in card or 'class="result"' not in card:
            return True  # taken by someone between the list and the card: the next one
        outcome = "reached" if n % 2 else "no_answer"
        answer = self.log(task_id, card, outcome).text
        if SAVED in answer:
            with tally.lock:
                tally.saved += 1
                tally.logged[self.code].append(task_id)
        else:
            raise Failed(f"log of own call {task_id} not saved")
        return True

    def try_partners_call(self) -> None:
        tally = self.run_state.tally
        task_id = self.run_state.open.get(self.partner)
        if task_id is None:
            return
        card = self.open_card(task_id)
        if HELD not in card or 'class="result"' not in card:
            with tally.lock:
                tally.partner_free += 1
            return
        answer = self.log(task_id, card, "no_answer").text
        with tally.lock:
            tally.held_tries += 1
            if SAVED in answer:
                # The partner saved between our card and our post: the hold was gone, so
                # the server was right to take it; it is one more write to find.
                tally.held_taken += 1
                tally.saved += 1
                tally.logged[self.code].append(task_id)
            elif REFUSED in answer:
                tally.held_refused += 1
            elif CLOSED in answer:
                tally.held_closed += 1
            else:
                raise Failed(f"log of a held call {task_id}: neither saved nor refused")

    def run(self) -> None:
        state = self.run_state
        try:
            self.sign_in()
        except Failed as exc:
            self.fail(exc)
            return
        finally:
            state.signed_in.release()
        state.ready.wait()
        n, more = 0, True
        while more and time.monotonic() < state.deadline:
            try:
                more = self.round(n)
            except Failed as exc:
                self.fail(exc)  # counted; the agent goes on with the next call
            n += 1
        self.client.close()

    def fail(self, exc: Exception) -> None:
        with self.run_state.tally.lock:
            self.run_state.tally.errors.append(f"{self.code}: {exc}")


HTMX = {"HX-Request": "true"}


class Failed(Exception):
    """A request that did not answer as the console should."""


@dataclass
class RunState:
    tally: Tally
    deadline: float = 0.0
    ready: threading.Event = field(default_factory=threading.Event)
    signed_in: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    open: dict[str, int] = field(default_factory=dict)  # each agent's current card


def work(
    base: str, pairs: list[tuple[str, str]], password: str, seconds: float, pause: float = 0.0
):
    """Run one agent per code of `pairs` for `seconds`, each waiting `pause` seconds before
    each request; the tally and the wall time taken."""
    state = RunState(Tally())
    agents = [
        Agent(base, code, password, partner, state, pause)
        for a, b in pairs
        for code, partner in ((a, b), (b, a))
    ]
    for agent in agents:
        agent.start()
    # Sign-ins first (Argon2 is slow on purpose), then everyone starts working together.
    for _agent in agents:
        state.signed_in.acquire()
    started = time.monotonic()
    state.deadline = started + seconds
    state.ready.set()
    for agent in agents:
        agent.join()
    return state.tally, time.monotonic() - started

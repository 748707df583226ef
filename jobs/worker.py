"""`crm worker`: one of any number of processes sharing the scheduled work on PostgreSQL.

No worker leads. Each one, every few seconds, offers the runs whose time has come (a
unique key makes one row of each, whoever offers first) and claims free ones with
`FOR UPDATE SKIP LOCKED`, under a lease its heartbeat thread renews. A worker killed
mid-run stops renewing; after the lease another takes the run over. A worker that
loses the database logs it once, keeps trying, and carries on when it is back.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from crm.actions import workers as shared
from crm.actions.sms import make_sender
from crm.app import App

log = logging.getLogger("crm.jobs")


def run(app: App) -> None:
    """Work until Ctrl-C or SIGTERM; runs under way finish first."""
    from jobs.scheduler import configure_logging

    shared.require_postgresql(app)
    configure_logging()
    stopping = threading.Event()

    def request_stop(*_) -> None:
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_stop)
    try:
        Worker(app, stopping).work_until_stopped()
    finally:
        # As in jobs.scheduler: a late signal must not kill a clean exit.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)


class Worker:
    def __init__(self, app: App, stopping: threading.Event):
        self.app, self.stopping = app, stopping
        self.settings = app.settings.workers
        self.sender = make_sender(app)  # a provider without credentials stops here
        self.pool = ThreadPoolExecutor(self.settings.threads, thread_name_prefix="run")
        self.running: dict[int, shared.Claimed] = {}
        self.lock = threading.Lock()
        self.worker_id: int | None = None
        self.lost_at: float | None = None  # when the database went away (one log line)

    def work_until_stopped(self) -> None:
        while self.worker_id is None and not self.stopping.is_set():
            self.guarded(self.join)
            if self.worker_id is None:
                self.stopping.wait(self.settings.poll_seconds)
        if self.worker_id is None:
            return
        log.info(
            "worker %d running (%d threads): each store's planning at 06:30 its time, SMS "
            "every minute of the send window, delivery reports and replies every 5 minutes, "
            "the month report hourly (written from report.scheduled_hour on the 1st); "
            "Ctrl-C to stop",
            self.worker_id,
            self.settings.threads,
        )
        beating = threading.Thread(target=self.heartbeat, name="heartbeat", daemon=True)
        beating.start()
        while not self.stopping.is_set():
            self.guarded(self.poll)
            self.stopping.wait(self.settings.poll_seconds)
        self.pool.shutdown(wait=True)  # runs under way finish; no new one starts
        beating.join()
        self.guarded(lambda: shared.leave(self.app, self.worker_id))
        log.info("worker %d stopped", self.worker_id)

    def join(self) -> None:
        self.worker_id = shared.join(self.app)

    def poll(self) -> None:
        """Offer what is due, then claim free runs while a thread is free."""
        shared.offer_due(self.app)
        while not self.stopping.is_set():
            with self.lock:
                if len(self.running) >= self.settings.threads:
                    return
            claimed = shared.claim(self.app, self.worker_id)
            if claimed is None:
                return
            with self.lock:
                self.running[claimed.id] = claimed
            self.pool.submit(self.perform, claimed)

    def perform(self, claimed: shared.Claimed) -> None:
        started = time.perf_counter()
        result, error = {}, None
        try:
            result = shared.run(self.app, claimed, self.sender)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if shared.database_lost(exc):
                log.error("%s %s: database unavailable; retried later", claimed.job, claimed.scope)
            else:
                log.exception("%s %s failed; retried later", claimed.job, claimed.scope)
        try:
            ours = shared.finish(self.app, self.worker_id, claimed, result, error)
        except Exception as exc:
            # Unrecorded: the lease lapses and another worker (or this one) runs it again.
            ours = False
            log.error("%s %s: its end could not be recorded (%s)", claimed.job, claimed.scope, exc)
        finally:
            with self.lock:
                self.running.pop(claimed.id, None)
        if not ours:
            log.warning("%s %s: taken over by another worker meanwhile", claimed.job, claimed.scope)
        busy = {k: v for k, v in result.items() if v and k != "outside_window"}
        if error is None and (busy or claimed.job not in ("sms_dispatch", "sms_sync")):
            log.info(
                "%s %s (%s): %s in %.1f s",
                claimed.job,
                claimed.scope,
                f"{claimed.scheduled_at:%Y-%m-%d %H:%M} UTC",
                busy or "nothing to do",
                time.perf_counter() - started,
            )

    def heartbeat(self) -> None:
        """Beat and renew leases apart from the polling, so a slow poll delays no lease."""
        while not self.stopping.wait(self.settings.heartbeat_seconds):
            self.guarded(self.beat)

    def beat(self) -> None:
        with self.lock:
            ids = list(self.running)
        known, held = shared.beat(self.app, self.worker_id, ids)
        if not known:
            self.join()  # tidied away after a long silence: a new row, the same work
        for run_id in set(ids) - held:
            with self.lock:
                claimed = self.running.get(run_id)
            if claimed:
                log.warning("%s %s: lease lost to another worker", claimed.job, claimed.scope)

    def guarded(self, step) -> None:
        """Run one step; a lost database is logged once and the step tried again later."""
        try:
            step()
        except Exception as exc:
            if not shared.database_lost(exc):
                log.exception("worker step failed; trying again")
                return
            with self.lock:  # the heartbeat thread and the polling may both notice
                first, self.lost_at = self.lost_at is None, self.lost_at or time.monotonic()
            if first:
                log.error("database unavailable (%s); trying again", str(exc).splitlines()[0])
            return
        with self.lock:
            lost_at, self.lost_at = self.lost_at, None
        if lost_at is not None:
            log.info("database back after %.0f s", time.monotonic() - lost_at)

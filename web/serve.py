"""`crm serve`: uvicorn with the console, and with `make run` the scheduler beside it.

The scheduler runs as its own process (`crm scheduler run`), so its lock, its signals
and its logs are exactly those of a scheduler started alone; Ctrl-C reaches both (they
share the terminal's process group) and each stops cleanly. SIGTERM to `crm serve` alone
stops the console, then the scheduler.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

import click

from crm.app import App

log = logging.getLogger("crm.web")


def run(app: App, host: str, port: int, scheduler_args: list[str] | None = None) -> None:
    import uvicorn

    from web.app import create_app

    console = create_app(app)
    address = app.settings.web.public_url or f"http://{host}:{port}"
    scheduler = _start_scheduler(scheduler_args) if scheduler_args is not None else None
    click.echo(f"console: {address}  (Ctrl-C stops {'both' if scheduler else 'it'})")
    server = uvicorn.Server(
        uvicorn.Config(console, host=host, port=port, log_level="warning", access_log=False)
    )
    # uvicorn stops on SIGTERM too, then raises it again under the handler it found:
    # the default one would end this process before the scheduler is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            _stop(scheduler)
    click.echo("console stopped")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (`kill`, a service manager) stops both, as Ctrl-C


def _start_scheduler(global_args: list[str]) -> subprocess.Popen:
    command = [sys.executable, "-c", "import cli; cli.main()", *global_args, "scheduler", "run"]
    return subprocess.Popen(command)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

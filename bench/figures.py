"""Measuring and printing the bench's figures: CPU seconds, beside the previous value and
the floor.

Other processes share this machine's CPU, so figures are CPU seconds (user + system)
of the measured process, never wall time, each the median of a few runs. The code
measured is this tree's, or the tree named by CRM_BENCH_CODE (an older commit checked
out elsewhere: that is how `bench/previous.json` was made). `--save PATH` writes the
figures as JSON; `bench/previous.json` holds the ones each figure is printed beside.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(os.environ.get("CRM_BENCH_CODE", ROOT)).resolve()
PYTHON = sys.executable
ENV = os.environ | {"PYTHONPATH": str(CODE)}
PREVIOUS = ROOT / "bench" / "previous.json"
measured: dict[str, float] = {}


def run(args: list[str], **options) -> tuple[subprocess.CompletedProcess, float]:
    """Run a child process in the measured tree; returns it and its CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        args, capture_output=True, text=True, check=False, cwd=CODE, env=ENV, **options
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, cpu


def script(source: str, *args: str) -> tuple[dict, float]:
    """Run a Python snippet that prints one JSON object; returns it and the process's CPU."""
    done, cpu = run([PYTHON, "-c", source, *args])
    if done.returncode:
        sys.exit(f"benchmark step failed: {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1]), cpu


def crm_cpu(*args: str) -> float:
    """CPU seconds of one `crm ...` command of the measured tree."""
    done, cpu = run([PYTHON, str(CODE / "cli.py"), *args])
    if done.returncode:
        sys.exit(f"crm {' '.join(args)} failed: {done.stderr}")
    return cpu


def median(values: list[float]) -> float:
    return statistics.median(values)


def _previous() -> dict:
    return json.loads(PREVIOUS.read_text()) if PREVIOUS.exists() else {}


def show(key: str, label: str, value: float, *, floor: float | None = None, unit="s CPU"):
    """Print one figure beside its previous value and its floor; keep it for --save."""
    measured[key] = round(value, 4)
    line = f"{label}: {value:.3f} {unit}"
    previous = _previous().get("figures", {}).get(key)
    if previous is not None:
        line += f" (previous {previous:.3f}"
        if value and previous >= value:
            line += f", {previous / value:.1f}x less"
        elif value:
            line += f", {value / previous:.1f}x more"
        line += ")"
    if floor:
        line += f"; floor {floor:.3f} {unit}, product / floor = {value / floor:.2f}x"
    print(line, flush=True)


def save(path: str) -> None:
    Path(path).write_text(
        json.dumps({"code": str(CODE), "figures": measured}, indent=2, sort_keys=True) + "\n"
    )

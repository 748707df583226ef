"""`make bench`: the figures the issues name, measured on this machine.

- demo seed: customers per second for a 100,000-customer store on SQLite (target: < 60 s).
- import: rows per second and peak memory for a 500,000-row customer CSV, beside a
  50,000-row one, to show the import streams (memory does not grow with the file).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import track

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
console = Console(stderr=True)


def crm(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(ROOT / "cli.py"), "--db", db, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def bench_seed(workdir: Path, customers: int) -> None:
    db = f"sqlite:///{workdir / 'seed.db'}"
    crm("init", db=db)
    started = time.perf_counter()
    result = crm("demo", "seed", "--customers", str(customers), "--seed", "1", db=db)
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"demo seed failed: {result.stderr}")
    print(
        f"demo seed: {customers:,} customers in {elapsed:.1f} s "
        f"= {customers / elapsed:,.0f} customers/s  ({result.stdout.strip()})"
    )


def write_customers_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["客户编号", "姓名", "手机号", "生日", "农历/公历", "性别", "职业", "爱好"])
        for i in track(range(rows), description=f"writing {rows:,} rows", console=console):
            writer.writerow(
                [
                    f"C{i:08d}",
                    "王伟" if i % 2 else "李娜",
                    f"139{i:08d}",
                    f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}",
                    "农历" if i % 5 == 0 else "公历",
                    "男" if i % 2 else "女",
                    "教师",
                    "钓鱼",
                ]
            )


MEASURE = """
import json, resource, sys, time
from datetime import UTC, date, datetime
from pathlib import Path
from crm import db
from crm.importing import run_import
engine = db.make_engine(sys.argv[1])
started = time.perf_counter()
result = run_import(engine, "customers", Path(sys.argv[2]), store_code="demo",
                    today=date(2026, 11, 1), now=datetime.now(UTC), phone_region="CN")
print(json.dumps({"seconds": time.perf_counter() - started, "rows": result.rows,
                  "new": result.new, "rejected": result.rejected,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_import(workdir: Path, rows: int) -> dict:
    path = workdir / f"customers-{rows}.csv"
    write_customers_csv(path, rows)
    db = f"sqlite:///{workdir / f'import-{rows}.db'}"
    crm("init", db=db)
    console.print(f"importing {rows:,} rows …")
    result = subprocess.run(
        [PYTHON, "-c", MEASURE, db, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode:
        sys.exit(f"import failed: {result.stderr}")
    figures = json.loads(result.stdout)
    print(
        f"import: {figures['rows']:,} rows ({figures['new']:,} new, {figures['rejected']} "
        f"rejected) in {figures['seconds']:.1f} s = {figures['rows'] / figures['seconds']:,.0f}"
        f" rows/s, peak memory {figures['peak_mb']:.0f} MB"
    )
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        workdir = Path(tmp)
        bench_seed(workdir, 100_000)
        bench_import(workdir, 50_000)
        bench_import(workdir, 500_000)


if __name__ == "__main__":
    main()

"""Commands start fast: each imports what it uses, nothing for the commands it is not."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs the CLI in a fresh interpreter and prints the top-level packages it imported.
IMPORTED = """
import json, sys
sys.argv = ["crm", *sys.argv[1:]]
import cli
try:
    cli.main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str, cwd: Path) -> set[str]:
    """The packages and modules `crm ARGS` imported (`a.b` counts as `a` too)."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        check=False,
    )
    names = json.loads(done.stderr.strip().splitlines()[-1])
    return set(names) | {name.split(".")[0] for name in names}


def test_help_loads_neither_the_database_nor_the_settings_nor_rich(tmp_path):
    loaded = imported_by("--help", cwd=tmp_path)

    assert "click" in loaded
    assert loaded.isdisjoint({"sqlalchemy", "sqlmodel", "pydantic", "rich", "crm.config"})


# What a command imports does not depend on the database: SQLite alone tells.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_json_report_loads_no_chart_workbook_or_template_code(database_url, tmp_path):
    args = ("--db", database_url, "report", "monthly", "2026-02", "--format", "json")

    loaded = imported_by(*args, cwd=tmp_path)

    assert "sqlalchemy" in loaded  # it did build the report
    assert loaded.isdisjoint({"matplotlib", "openpyxl", "markdown_it", "jinja2", "rich"})

"""Files holding customer data are the owner's and the group's only; reports never clobber."""

import stat

from tests.factories import CUSTOMER_HEADERS_ZH, customer_rows, write_csv


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_rejects_and_reports_are_readable_by_owner_and_group_only(crm, tmp_path):
    database = tmp_path / "new.db"
    url = f"sqlite:///{database}"
    assert crm("init", db_url=url).exit_code == 0
    rows = [*customer_rows(), ["C9", "", "1", "", "", "", "", "", "", ""]]
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, rows), db_url=url)
    crm("report", "monthly", "2026-02", "--format", "xlsx", db_url=url)
    crm("report", "monthly", "2026-02", "-o", tmp_path / "feb.md", db_url=url)

    assert mode(database) == 0o640
    assert mode(tmp_path / "c.csv.rejects.csv") == 0o640
    assert mode(tmp_path / "feb.md") == 0o640
    (written,) = (tmp_path / "reports").iterdir()
    assert mode(written) == 0o640
    assert mode(tmp_path / "reports") == 0o750


def test_report_o_refuses_an_existing_file_unless_forced(crm, tmp_path):
    target = tmp_path / "feb.md"
    target.write_text("my notes")

    refused = crm("report", "monthly", "2026-02", "-o", target)
    forced = crm("report", "monthly", "2026-02", "-o", target, "--force")

    assert refused.exit_code == 2
    assert "exists already (--output PATH; --force accepts it)" in refused.output
    assert forced.exit_code == 0, forced.output
    assert target.read_text() != "my notes"


def test_report_o_never_writes_over_the_database(crm, tmp_path):
    database = tmp_path / "own.db"
    url = f"sqlite:///{database}"
    crm("init", db_url=url)
    before = database.read_bytes()

    result = crm("report", "monthly", "2026-02", "-o", database, "--force", db_url=url)

    assert result.exit_code == 2
    assert "it is the database" in result.output
    assert database.read_bytes() == before

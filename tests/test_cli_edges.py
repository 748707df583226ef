"""Command-line input that used to end in a traceback: one sentence and exit 2 instead."""

import pytest

from tests.factories import write_csv


@pytest.mark.parametrize(
    "url",
    ["postgresql://crm:s3cret@db.example:abc/crm", "postgresql://crm:s3@cr:et@db:5x/crm"],
)
def test_a_malformed_db_url_is_one_sentence_without_its_password(crm, url):
    result = crm("status", db_url=url)

    assert result.exit_code == 2
    assert "is not a database URL" in result.output
    assert "s3cret" not in result.output and "cr:et" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", [["status"], ["init"], ["plan"]])
def test_a_db_that_is_not_a_database_file_is_one_sentence(crm, tmp_path, command):
    junk = tmp_path / "notes.db"
    junk.write_text("these are my notes, not a database\n" * 100)

    result = crm(*command, db_url=f"sqlite:///{junk}")

    assert result.exit_code == 2, result.output
    assert "file is not a database" in result.output
    assert isinstance(result.exception, SystemExit)


def test_an_import_path_too_long_for_the_file_system_is_one_sentence(crm, tmp_path):
    result = crm("import", "customers", "x" * 100_000 + ".csv")

    assert result.exit_code == 2, result.output
    assert "File name too long" in result.output
    assert isinstance(result.exception, SystemExit)


def test_an_ordinary_missing_file_still_says_it_does_not_exist(crm, tmp_path):
    write_csv(tmp_path / "other.csv", ["name"], [["王伟"]])

    result = crm("import", "customers", tmp_path / "missing.csv")

    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["calls", "list", "--limit", str(2**63)],
        ["sms", "send", "--limit", str(2**63)],
        ["sms", "outbox", "--limit", str(2**63)],
        ["sms", "reconcile", "--older-than", str(2**63)],
    ],
)
def test_a_number_beyond_any_real_one_is_refused_at_the_option(crm, args):
    result = crm(*args)

    assert result.exit_code == 2, result.output
    assert "is not in the range" in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_customer_id_beyond_any_row_is_not_found_not_a_traceback(crm):
    result = crm("sms", "preview", "birthday_sms", "--customer", str(2**63))

    assert result.exit_code == 2, result.output
    assert "customer" in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_csv_list_escapes_text_that_excel_would_run_as_a_formula(crm):
    crm("inquiries", "log", "--phone", "13800138000", "--topic", "price", "--name", "=1+1")
    crm("inquiries", "log", "--phone", "13800138001", "--topic", "price", "--note", "@SUM(A1)")
    crm("inquiries", "log", "--phone", "13800138002", "--topic", "price", "--note", "-2+3")

    result = crm("inquiries", "list", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert "'=1+1" in result.output and "'@SUM(A1)" in result.output and "'-2+3" in result.output
    assert ",=1+1" not in result.output and ",@SUM" not in result.output


def test_formula_safe_covers_every_formula_start_and_leaves_numbers_alone():
    from crm.actions import formula_safe

    for text in ("=A1", "+1", "-1", "@x", "\tx", "\rx"):
        assert formula_safe(text) == "'" + text
    assert formula_safe("王伟") == "王伟"
    assert formula_safe(-3) == -3

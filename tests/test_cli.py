"""The `crm` command as a contract: init, help on every command, errors without tracebacks."""

import json
import re

import pytest
from sqlalchemy import func, select

from crm import db
from crm.models import Store
from tests.conftest import PG_URL, drop_postgres_schema, fresh_postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A database with no schema at all, as on a fresh machine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("CRM_TEST_DATABASE_URL is not set: the PostgreSQL half runs in CI")
    schema, url = fresh_postgres_schema()
    yield url
    drop_postgres_schema(schema)


def test_init_twice_is_harmless(crm, empty_database_url):
    first = crm("init", db_url=empty_database_url)
    second = crm("init", db_url=empty_database_url)

    assert first.exit_code == 0, first.output
    assert "database created" in first.output
    assert "store demo" in first.output and "registered" in first.output
    assert second.exit_code == 0, second.output
    assert "already current" in second.output
    assert "registered" not in second.output
    engine = db.make_engine(empty_database_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Store)).scalar_one() == 1
    assert db.current_revision(engine) == db.head_revision() == db.newest_revision()
    engine.dispose()


def test_the_migrations_build_exactly_the_tables_the_models_describe(crm, empty_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    assert crm("init", db_url=empty_database_url).exit_code == 0
    engine = db.make_engine(empty_database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()

    assert differences == []  # a model changed without its migration, or the reverse


def test_commands_on_an_uninitialised_database_say_to_run_init(crm, empty_database_url):
    result = crm("today", db_url=empty_database_url)

    assert result.exit_code == 2
    assert result.output.strip() == "Error: the database is empty; run `crm init` first"


def test_a_malformed_database_url_is_one_sentence(crm):
    result = crm("today", db_url="not a url")

    assert result.exit_code == 2
    assert "is not a database URL" in result.output
    assert "Traceback" not in result.output


def test_today_shows_the_store_and_its_day_as_json(crm, tmp_path):
    crm("demo", "seed", "--customers", "50")

    result = crm("today", "--format", "json")

    picture = json.loads(result.output)
    assert picture["date"] == "2026-03-10"
    assert picture["store"] == "demo"
    assert picture["customers"] == 50
    assert picture["vehicles"] >= 50
    assert picture["calls_due"] == 0  # nothing is planned before the follow-up engine runs


def test_today_as_a_table_is_titled_with_the_stores_chinese_name_and_labelled_in_english(crm):
    # store.locale picks the language customers read (SMS, the report); the desk's own
    # screens are English, and the store is called what config.toml names it.
    result = crm("today")

    assert result.exit_code == 0
    assert result.output.splitlines()[0].strip() == "示例汽车4S店 · 2026-03-10"
    assert re.findall(r"│ +(\S.*?) +│ +(\S+) │", result.output) == [
        ("calls due today", "0"),
        ("of which overdue", "0"),
        ("SMS queued", "0"),
        ("customers", "0"),
        ("vehicles", "0"),
        ("service visits", "0"),
    ]


def test_stores_can_be_added_and_listed(crm):
    added = crm("stores", "add", "gz02", "--name", "广州天河店")
    duplicate = crm("stores", "add", "gz02", "--name", "again")
    bad = crm("stores", "add", "gz 03", "--name", "x")

    listed = json.loads(crm("stores", "list", "--format", "json").output)

    assert added.exit_code == 0
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert [s["code"] for s in listed] == ["demo", "gz02"]


def test_import_prints_json_counts_for_scripts(crm, tmp_path):
    (tmp_path / "c.csv").write_text("name,phone\n王伟,13800138000\n", encoding="utf-8")

    result = crm("import", "customers", "c.csv", "--format", "json")

    counts = json.loads(result.output)
    assert {k: counts[k] for k in ("kind", "new", "updated", "unchanged", "rejected")} == {
        "kind": "customers",
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


@pytest.mark.parametrize(
    "args",
    [
        ["today"],
        ["plan"],
        ["calls", "list"],
        ["agents", "list"],
        ["complaints", "list"],
        ["report", "monthly", "2026-02"],
    ],
)
def test_an_unknown_store_is_one_line_naming_the_option_at_every_command(crm, args):
    result = crm(*args, "--store", "nope")

    assert result.exit_code == 2
    assert result.output == (
        "Error: unknown store 'nope'; `crm stores list` shows the stores (--store CODE)\n"
    )


def test_every_command_reports_errors_through_the_one_error_display():
    import click

    from cli import main
    from commands.base import CrmCommand, CrmGroup

    def walk(command, path):
        if isinstance(command, click.Group):
            assert isinstance(command, CrmGroup), path
            for name in command.list_commands(None):
                walk(command.get_command(None, name), f"{path} {name}")
        else:
            assert isinstance(command, CrmCommand), path

    walk(main, "crm")

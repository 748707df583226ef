"""Each test gets its own migrated database: SQLite always, PostgreSQL when CI points at one.

SQLite copies a template migrated once per session. PostgreSQL gives each xdist worker
its own schema, migrated once, and empties it before each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from sqlalchemy import text

from cli import main
from crm import db
from crm.config import Settings
from crm.stores import ensure_store
from tests.factories import NOW

PG_URL = os.environ.get("CRM_TEST_DATABASE_URL")


def _pg_schema_url(schema: str) -> str:
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def fresh_postgres_schema() -> tuple[str, str]:
    """A new, empty PostgreSQL schema and a URL whose search_path points at it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = db.make_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return schema, _pg_schema_url(schema)


def drop_postgres_schema(schema: str) -> None:
    engine = db.make_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "crm.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.session(engine) as session:
        ensure_store(session, Settings().store)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    if not PG_URL:
        yield None
        return
    schema, url = fresh_postgres_schema()
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_schema(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A migrated database holding only the configured store."""
    if request.param == "sqlite":
        path = tmp_path / "crm.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_schema")
    if url is None:
        pytest.skip("CRM_TEST_DATABASE_URL is not set: the PostgreSQL half runs in CI")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        tables = (
            connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    with db.session(engine) as session:
        ensure_store(session, Settings().store)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with db.session(engine) as session:
        yield session


@pytest.fixture
def crm(database_url, tmp_path, monkeypatch):
    """Run the `crm` command against the test database, at NOW (or `at=`), from an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRM_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str, db_url: str | None = None, at=NOW, input_text: str | None = None):
        with freeze_time(at):
            return runner.invoke(
                main, ["--db", db_url or database_url, *map(str, args)], input=input_text
            )

    return run

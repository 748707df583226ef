"""Opening the database, and creating or upgrading its schema through Alembic."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from sqlalchemy import (
    ColumnElement,
    Engine,
    Integer,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    literal_column,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlmodel import Session

from crm.errors import DatabaseNotReady, DatabaseUnavailable, UsageError

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a plain `postgresql://` URL (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def masked(url: str) -> str:
    """`url` with any password replaced by ***, for messages (the URL may be malformed)."""
    return re.sub(r"(://[^/@:]*:)[^/]*@", r"\1***@", url)


def sqlite_files(url: str) -> tuple[Path, ...]:
    """An SQLite database's file and its journals; none for another database."""
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        return ()
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return ()
    main = Path(parsed.database)
    return (main, Path(f"{main}-wal"), Path(f"{main}-shm"), Path(f"{main}-journal"))


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout."""
    try:
        parsed = make_url(normalise_url(url))
        parsed.port  # noqa: B018 - a non-numeric port fails only when read
    except (ArgumentError, ValueError):
        raise UsageError(
            f"{masked(url)!r} is not a database URL (try sqlite:///crm.db)", field="db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(
            f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL",
            field="db",
        )
    # Planning inserts thousands of rows with RETURNING, which SQLAlchemy sends as
    # multi-row statements of this many rows. At its default of 1,000 each statement is
    # long and parsed anew by psycopg and the server; 100 rows planned a 100,000-car
    # store's first day with a quarter less CPU (4.0-4.3 s down to 3.1-3.4 s).
    return create_engine(parsed, pool_pre_ping=True, insertmanyvalues_page_size=100)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(engine: Engine | None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


_REVISES = re.compile(r'^(revision|down_revision)\b[^=]*=\s*"?([\w]+)"?', re.MULTILINE)


@cache
def newest_revision() -> str:
    """The head read straight from the migration files: every command checks it, and
    importing Alembic to ask would cost each command about a tenth of a second."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISES.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"])
        parents.add(found.get("down_revision"))
    (head,) = revisions - parents
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the newest revision; returns (before, after)."""
    from alembic import command

    before = current_revision(engine)
    command.upgrade(_alembic_config(engine), "head")
    return before, head_revision()


def check_current(engine: Engine) -> None:
    """Fail with what to do next when the schema is missing or older than this code."""
    try:
        revision = current_revision(engine)
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseUnavailable(
            f"cannot open the database ({_first_line(exc)})", field="db"
        ) from None
    if revision is None:
        raise DatabaseNotReady("the database is empty")
    if revision != newest_revision():
        raise DatabaseNotReady("the database schema is older than this version")


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]


def analyze(engine: Engine, tables: tuple[str, ...] | None = None) -> None:
    """On PostgreSQL, refresh the planner's statistics of `tables` (default: every table).

    A server whose autovacuum is slow or off keeps the statistics of empty tables after
    a bulk load, and then plans nested loops over whole tables (one planning query went
    19x slower). SQLite plans without statistics here, so it is left alone.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        if tables is None:
            tables = tuple(
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).scalars()
            )
        for table in tables:
            connection.execute(text(f'ANALYZE "{table}"'))


def one_of(session: Session, column, ids) -> ColumnElement:
    """`column IN ids` bound as one value: a PostgreSQL array, or a JSON list SQLite's
    json_each reads. Unlike an expanding IN it compiles to one statement whatever the
    list's length (no parameter name per id, each run), and PostgreSQL's driver can keep
    it prepared."""
    values = [int(value) for value in ids if value is not None]  # IN never matches NULL
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    listed = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(values), type_=String))
    )
    return column.in_(listed.scalar_subquery())


def read(session: Session, query):
    """The rows of a column query, run by the Core: the ORM's row loading does nothing
    for plain columns but cost a sixth more on the planner's large reads. Pending
    changes are flushed first, as `session.execute` would."""
    session.flush()
    return session.connection().execute(query)


def insert_for(dialect: str):
    """The dialect's INSERT, which has ON CONFLICT (both SQLite and PostgreSQL speak it)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)

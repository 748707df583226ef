"""PostgreSQL keeps its statistics: seeds, imports and migrations analyse what they wrote.

The server these tests run on has autovacuum off, as some do: without an explicit
ANALYZE, a freshly loaded table keeps the statistics of an empty one.
"""

import pytest
from sqlalchemy import text

from crm import db
from crm.actions.setup import init_database
from crm.app import App
from crm.config import Settings
from tests.conftest import PG_URL, drop_postgres_schema, fresh_postgres_schema
from tests.factories import CUSTOMER_HEADERS_ZH, customer_rows, write_csv

pytestmark = pytest.mark.skipif(not PG_URL, reason="statistics are PostgreSQL's")


def clock(url: str):
    engine = db.make_engine(url)
    with engine.connect() as connection:
        moment = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    engine.dispose()
    return moment


def analysed_since(url: str, moment) -> set[str]:
    """The tables of the URL's schema analysed after `moment`."""
    engine = db.make_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
                " AND last_analyze >= :moment"
            ),
            {"moment": moment},
        )
        names = set(found.scalars())
    engine.dispose()
    return names


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_demo_seed_analyses_the_tables_it_filled(crm, database_url):
    before = clock(database_url)

    assert crm("demo", "seed", "--customers", "20").exit_code == 0

    filled = {"customer", "vehicle", "vehicle_ownership", "service_visit", "agent"}
    assert filled <= analysed_since(database_url, before)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_import_analyses_the_tables_it_wrote(crm, database_url, tmp_path):
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_HEADERS_ZH, customer_rows())
    before = clock(database_url)

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    assert analysed_since(database_url, before) == {"customer"}


def test_a_migration_analyses_every_table():
    schema, url = fresh_postgres_schema()
    try:
        before = clock(url)

        init_database(App(settings=Settings(), database_url=url))

        assert {"customer", "followup_task", "sms_message"} <= analysed_since(url, before)
    finally:
        drop_postgres_schema(schema)

"""A big import into PostgreSQL keeps the table's statistics current, so look-ups stay indexed."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from crm import db
from crm.config import Settings
from crm.importing import run_import
from crm.stores import ensure_store
from tests.conftest import PG_URL, drop_postgres_schema, fresh_postgres_schema
from tests.factories import write_csv


@pytest.fixture
def fresh_postgres():
    if not PG_URL:
        pytest.skip("CRM_TEST_DATABASE_URL is not set: the PostgreSQL half runs in CI")
    schema, url = fresh_postgres_schema()
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session(engine) as session:
        ensure_store(session, Settings().store)
    yield engine
    engine.dispose()
    drop_postgres_schema(schema)


def test_a_big_import_leaves_postgresql_knowing_the_tables_size_and_using_its_index(
    fresh_postgres, tmp_path
):
    rows = [[f"C{i:06d}", "王伟", f"139{i:08d}"] for i in range(5000)]
    path = write_csv(tmp_path / "c.csv", ["customer_code", "name", "phone"], rows)

    result = run_import(
        fresh_postgres,
        "customers",
        path,
        store_code="demo",
        today=date(2026, 3, 10),
        now=datetime.now(UTC),
        phone_region="CN",
    )

    assert result.new == 5000
    with fresh_postgres.connect() as connection:
        known = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'customer'::regclass")
        ).scalar()
        plan = "\n".join(
            connection.execute(
                text(
                    "EXPLAIN SELECT * FROM customer WHERE store_id = 1 "
                    "AND customer_code IN ('C000001', 'C000002', 'C004999')"
                )
            ).scalars()
        )
    # Analysed after 4,000 rows: before, PostgreSQL took the table for empty (-1).
    assert known >= 4000
    assert "customer_code" in plan and "ix_customer_store_updated" not in plan, plan

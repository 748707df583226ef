"""Long lists are bound once: planning looks up thousands of cars or customers at a
time and inserts thousands of calls. A bound id list finds exactly the rows an IN would,
with SQL that does not change with the list's length (an expanding IN compiled a
parameter name per id on every run); new calls go in by one statement however many,
every value kept and nothing written twice."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DataError
from sqlmodel import select

from crm.db import one_of
from crm.followup.writes import insert_new
from crm.models import Customer, FollowupTask
from tests.factories import add_customer


def found(session, ids) -> list[int]:
    query = select(Customer.id).where(one_of(session, Customer.id, ids))
    return sorted(session.exec(query).all())


def test_a_bound_list_finds_exactly_the_listed_rows(session):
    people = [add_customer(session).id for _ in range(12)]
    chosen = people[::3]
    missing = max(people) + 1000
    assert found(session, chosen) == chosen
    assert found(session, chosen + [missing, None] + chosen) == chosen  # unknown, NULL, twice
    assert found(session, []) == []
    many = list(range(1, 6001)) + people  # more than any chunk the planner reads
    assert found(session, many) == sorted(people)


def test_its_sql_is_the_same_whatever_the_lists_length(session):
    dialect = session.get_bind().dialect

    def sql(ids):
        return str(
            select(Customer.id).where(one_of(session, Customer.id, ids)).compile(dialect=dialect)
        )

    assert sql([1, 2, 3]) == sql(list(range(6000))) == sql([])


def task_rows(customer_id: int, n: int, first: int = 0) -> list[dict]:
    now = datetime(2026, 11, 30, 1, tzinfo=UTC)
    return [
        {
            "store_id": 1,
            "kind": "care_call",
            "channel": "phone",
            "subject": f"customer:{customer_id}:{i}",
            "cycle": "first",
            "customer_id": customer_id,
            "window_start": date(2026, 11, 30),
            "due_date": date(2026, 12, 2),
            "status": "open",
            "reason": "写入测试",
            "details": {"n": i, "说明": "中文"} if i % 2 else None,
            "attempts": 0,
            "late": False,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(first, first + n)
    ]


def test_new_calls_go_in_by_one_statement_however_many_and_only_once(session):
    """Planning's insert: the same SQL for 3 rows or 300 (on PostgreSQL the rows are
    copied to a staging table first, so the INSERT has no parameter at all and the
    server parses it alike), every value kept, nothing written twice."""
    customer = add_customer(session).id
    sent: list[tuple[str, int]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("INSERT INTO FOLLOWUP_TASK"):
            sent.append((statement, len(parameters)))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert (
            insert_new(session, FollowupTask.__table__, task_rows(customer, 3)) == ["care_call"] * 3
        )
        small = list(sent)
        sent.clear()
        again = task_rows(customer, 300)  # the first three are there already
        assert len(insert_new(session, FollowupTask.__table__, again)) == 297
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    session.commit()
    if engine.dialect.name == "postgresql":
        assert len(sent) == 1 and sent[0] == small[0]  # one statement, the same text
        assert sent[0][1] <= 50  # within psycopg's cache of parsed statements
    stored = session.exec(select(FollowupTask).where(FollowupTask.customer_id == customer)).all()
    assert len(stored) == 300
    odd = next(t for t in stored if t.subject == f"customer:{customer}:7")
    assert (odd.details, odd.reason, odd.due_date) == (
        {"n": 7, "说明": "中文"},
        "写入测试",
        date(2026, 12, 2),
    )


def test_a_value_too_long_for_its_column_is_never_cut_short(session):
    """A subject past its 48 characters: PostgreSQL refuses the insert, as it would one
    row's (an array of VARCHAR(48) would have cut it to 48 without a word); SQLite,
    which has no lengths, keeps it whole."""
    customer = add_customer(session).id
    [row] = task_rows(customer, 1)
    row["subject"] = "customer:" + "长" * 60
    if session.get_bind().dialect.name == "postgresql":
        with pytest.raises(DataError, match="too long"):
            insert_new(session, FollowupTask.__table__, [row])
        session.rollback()
        assert (
            session.exec(select(FollowupTask).where(FollowupTask.customer_id == customer)).all()
            == []
        )
        return
    insert_new(session, FollowupTask.__table__, [row])
    stored = session.exec(select(FollowupTask).where(FollowupTask.customer_id == customer)).one()
    assert stored.subject == row["subject"]


def test_two_times_of_the_hour_repeated_at_the_end_of_daylight_saving_stay_two_instants(session):
    """01:30 in New York on 2026-11-01 happens twice (EDT, then EST): the insert keeps
    each as its own instant, an hour apart, rather than the first one's text twice."""
    customer = add_customer(session).id
    first, second = task_rows(customer, 2)
    once = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    first["created_at"], second["created_at"] = once, once.replace(fold=1)

    insert_new(session, FollowupTask.__table__, [first, second])
    session.commit()

    stored = session.exec(
        select(FollowupTask.created_at)
        .where(FollowupTask.customer_id == customer)
        .order_by(FollowupTask.id)
    ).all()
    assert stored == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    ]

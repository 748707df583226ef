"""Long id lists are bound once (`db.one_of`): planning looks up thousands of cars or
customers at a time, and an expanding IN compiled a parameter name per id on every run.
One bound list finds exactly the same rows, and its SQL does not change with the list's
length, so it is compiled once and PostgreSQL's driver can keep it prepared."""

from sqlmodel import select

from crm.db import one_of
from crm.models import Customer
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

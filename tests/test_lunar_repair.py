"""Migration 0007 moves lunar birthdays that lunardate stored a day off to their real day."""

from datetime import date

import pytest
from sqlmodel import select

from crm import db
from crm.models import Customer
from crm.vocabulary import lunar
from tests.factories import add_customer


def migrate_from_0006(engine) -> None:
    """Back down to 0006 (0007's own downgrade keeps the dates) and up again: later
    migrations' tables go and come back, so 0007 runs over the customer as stored."""
    from alembic import command

    command.downgrade(db._alembic_config(engine), "0006")
    db.upgrade(engine)


@pytest.mark.parametrize(
    ("stored", "lunar_date", "repaired"),
    [
        # What lunardate stored for the lunar date, and the day that lunar date really is.
        (date(1933, 7, 22), (1933, 6, 1), date(1933, 7, 23)),
        (date(1933, 8, 19), (1933, 6, 29), date(1933, 8, 20)),
        (date(1954, 11, 25), (1954, 10, 29), date(1954, 11, 24)),  # typed 10/30: no such day
        (date(1954, 12, 24), (1954, 11, 29), date(1954, 12, 23)),
        (date(1978, 9, 2), (1978, 8, 1), date(1978, 9, 3)),
        (date(1978, 9, 16), (1978, 8, 15), date(1978, 9, 17)),
        (date(1978, 9, 30), (1978, 8, 29), date(1978, 10, 1)),
    ],
)
def test_a_lunar_birthday_stored_in_a_wrong_month_moves_to_its_real_day(
    engine, session, stored, lunar_date, repaired
):
    assert lunar.to_solar(*lunar_date) == repaired
    customer = add_customer(session, birthday=stored, birthday_calendar="lunar")

    migrate_from_0006(engine)

    session.expire_all()
    assert session.get(Customer, customer.id).birthday == repaired


def test_solar_birthdays_and_lunar_ones_outside_the_three_months_stay(engine, session):
    kept = [
        add_customer(session, birthday=date(1978, 9, 16), birthday_calendar="solar"),
        add_customer(session, birthday=date(1978, 10, 1), birthday_calendar="lunar"),
        add_customer(session, birthday=date(1933, 7, 21), birthday_calendar="lunar"),
        add_customer(session, birthday=date(1990, 10, 3), birthday_calendar="lunar"),
    ]
    before = {c.id: c.birthday for c in kept}

    migrate_from_0006(engine)

    session.expire_all()
    assert {c.id: c.birthday for c in session.exec(select(Customer))} == before

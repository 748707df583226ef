"""Lunar birthdays stored through lunardate's three wrong months, moved to their real day.

lunardate's table had lunar 1933/6 a day early, 1954/10 a day long (so 1954/11 a day
late) and 1978/7 a day short (so 1978/8 a day early). A lunar date of birth typed into an
import in those months was stored one solar day off. The ranges below are every solar
date lunardate gave for a lunar date of those months, and the shift to the real day,
worked out once by comparing lunardate with tests/data/lunar_months.csv (88 dates, each a
constant shift within its range). Frozen here as data: a migration must not change when the
calendar code does. Solar birthdays are the date as written and are left alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:30:00
"""

from datetime import date, timedelta
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (first stored date, last stored date, days to add)
REPAIRS = [
    (date(1933, 7, 22), date(1933, 8, 19), 1),  # lunar 1933/6/1-29
    (date(1954, 11, 25), date(1954, 12, 24), -1),  # lunar 1954/10/30 (none), 1954/11/1-29
    (date(1978, 9, 2), date(1978, 9, 30), 1),  # lunar 1978/8/1-29
]


def upgrade() -> None:
    """Move each lunar birthday stored in a wrong range by its range's shift."""
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("birthday", sa.Date),
        sa.column("birthday_calendar", sa.String),
    )
    connection = op.get_bind()
    for first, last, shift in REPAIRS:
        rows = connection.execute(
            sa.select(customer.c.id, customer.c.birthday).where(
                customer.c.birthday_calendar == "lunar",
                customer.c.birthday.between(first, last),
            )
        ).all()
        for id_, birthday in rows:
            connection.execute(
                customer.update()
                .where(customer.c.id == id_)
                .values(birthday=birthday + timedelta(days=shift))
            )


def downgrade() -> None:
    """Nothing to undo: the old dates were wrong, and the older code reads the new ones."""

"""Whether a customer's number takes SMS: a fixed line gets the store's calls, never a text.

Numbers stored before are judged once here: a mainland number (+86) is a mobile exactly
when its national number starts with 1; others keep true (the import judges them by
phonenumbers' metadata from now on).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:30:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_sms", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(
        "UPDATE customer SET phone_sms = false WHERE phone LIKE '+86%' AND phone NOT LIKE '+861%'"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("phone_sms")

"""A logged call's result can be corrected; the original values are kept beside it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:10:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import crm.models.base

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("corrected_at", crm.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("correction", sa.JSON(), nullable=True))
        batch_op.create_index("ix_attempt_corrected", ["corrected_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_attempt_corrected")
        batch_op.drop_column("correction")
        batch_op.drop_column("corrected_at")

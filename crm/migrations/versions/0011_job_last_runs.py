"""Each recurring job's last run (SMS dispatch), for the manager's dashboard.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import crm.models.base

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "job_last_run",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("finished_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("job_last_run")

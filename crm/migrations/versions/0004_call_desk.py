"""The call desk: retries and the last result on each task.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29 21:50:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import crm.models.base

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CATEGORIES = (
    "vehicle_quality",
    "service_quality",
    "waiting_time",
    "staff_attitude",
    "price",
    "parts",
    "sales",
    "other",
)


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "followup_task", sa.Column("unanswered", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "followup_task",
        sa.Column("last_attempt_at", crm.models.base.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("followup_task", sa.Column("last_outcome", sa.String(length=16), nullable=True))
    op.add_column("followup_task", sa.Column("next_try_on", sa.Date(), nullable=True))
    op.create_index("ix_complaint_customer_status", "complaint", ["customer_id", "status"])
    categories = ", ".join(f"'{c}'" for c in CATEGORIES)
    with op.batch_alter_table("complaint") as batch:
        batch.create_check_constraint("ck_complaint_category", f"category IN ({categories})")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("complaint") as batch:
        batch.drop_constraint("ck_complaint_category", type_="check")
    op.drop_index("ix_complaint_customer_status", table_name="complaint")
    op.drop_column("followup_task", "next_try_on")
    op.drop_column("followup_task", "last_outcome")
    op.drop_column("followup_task", "last_attempt_at")
    op.drop_column("followup_task", "unanswered")

"""Workers: the processes that share the scheduled work, and the runs they share.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-10 18:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import crm.models.base

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", crm.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("running", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("scheduled_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("lease_until", crm.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", crm.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", crm.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "scope", "scheduled_at", name="uq_job_run_slot"),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_run_job_scope", ["job", "scope", "scheduled_at"], unique=False
        )
        batch_op.create_index("ix_job_run_status", ["status", "scheduled_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index("ix_job_run_status")
        batch_op.drop_index("ix_job_run_job_scope")
    op.drop_table("job_run")
    op.drop_table("worker")

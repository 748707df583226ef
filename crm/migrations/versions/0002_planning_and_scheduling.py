"""Planning runs, campaigns, the scheduler lock and cached maintenance predictions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:10:00.417983

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import crm.models.base

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "scheduler_lock",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.JSON(), nullable=False),
        sa.Column("with_calls", sa.Boolean(), nullable=False),
        sa.Column("launched_on", sa.Date(), nullable=False),
        sa.Column("launched_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["store.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id", "name", name="uq_campaign_store_name"),
    )
    op.create_table(
        "planning_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("started_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", crm.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["store.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("planning_run", schema=None) as batch_op:
        batch_op.create_index("ix_planning_run_store_day", ["store_id", "day"], unique=False)

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_store_birthday", ["store_id", "birthday"], unique=False)
        batch_op.create_index("ix_customer_store_updated", ["store_id", "updated_at"], unique=False)

    with op.batch_alter_table("followup_task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_task_vehicle", ["vehicle_id"], unique=False)

    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_store_updated", ["store_id", "updated_at"], unique=False)

    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vehicle_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("planned_for", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sms_message_vehicle_id"), ["vehicle_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_sms_message_vehicle_id_vehicle", "vehicle", ["vehicle_id"], ["id"]
        )

    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("maintenance_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("maintenance_pace_km_day", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("maintenance_readings", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("maintenance_basis_visit_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "maintenance_predicted_at",
                crm.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_vehicle_maintenance_predicted",
            ["store_id", "maintenance_predicted_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_vehicle_store_maintenance_due", ["store_id", "maintenance_due_on"], unique=False
        )
        batch_op.create_index("ix_vehicle_store_updated", ["store_id", "updated_at"], unique=False)

    with op.batch_alter_table("vehicle_ownership", schema=None) as batch_op:
        batch_op.create_index("ix_ownership_recorded", ["recorded_at"], unique=False)
        batch_op.create_index(
            "ix_ownership_started_current", ["started_on", "ended_on"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("vehicle_ownership", schema=None) as batch_op:
        batch_op.drop_index("ix_ownership_started_current")
        batch_op.drop_index("ix_ownership_recorded")

    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.drop_index("ix_vehicle_store_updated")
        batch_op.drop_index("ix_vehicle_store_maintenance_due")
        batch_op.drop_index("ix_vehicle_maintenance_predicted")
        batch_op.drop_column("maintenance_predicted_at")
        batch_op.drop_column("maintenance_basis_visit_id")
        batch_op.drop_column("maintenance_readings")
        batch_op.drop_column("maintenance_pace_km_day")
        batch_op.drop_column("maintenance_due_on")

    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_sms_message_vehicle_id_vehicle", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sms_message_vehicle_id"))
        batch_op.drop_column("planned_for")
        batch_op.drop_column("vehicle_id")

    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_store_updated")

    with op.batch_alter_table("followup_task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_vehicle")
        batch_op.drop_column("late")

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_store_updated")
        batch_op.drop_index("ix_customer_store_birthday")

    with op.batch_alter_table("planning_run", schema=None) as batch_op:
        batch_op.drop_index("ix_planning_run_store_day")

    op.drop_table("planning_run")
    op.drop_table("campaign")
    op.drop_table("scheduler_lock")

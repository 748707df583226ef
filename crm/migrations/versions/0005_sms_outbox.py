"""The SMS outbox's guards: the daily marketing cap, 24-hour duplicate texts, inbound replies.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:30:28.353308

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import crm.models.base

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sms_fingerprint",
        sa.Column("to_phone", sa.String(length=20), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("to_phone", "body_hash"),
    )
    with op.batch_alter_table("sms_fingerprint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_fingerprint_claimed_at"), ["claimed_at"], unique=False
        )

    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_sid", sa.String(length=64), nullable=False),
        sa.Column("from_phone", sa.String(length=20), nullable=False),
        sa.Column("to_phone", sa.String(length=20), nullable=True),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opt_out", sa.Boolean(), nullable=False),
        sa.Column("customers_opted_out", sa.Integer(), nullable=False),
        sa.Column("recorded_at", crm.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_sid"),
    )
    with op.batch_alter_table("sms_inbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_inbound_from_phone"), ["from_phone"], unique=False)

    op.create_table(
        "sms_daily_count",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("customer_id", "day"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("sms_daily_count")
    with op.batch_alter_table("sms_inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_inbound_from_phone"))

    op.drop_table("sms_inbound")
    with op.batch_alter_table("sms_fingerprint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_fingerprint_claimed_at"))

    op.drop_table("sms_fingerprint")

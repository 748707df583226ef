"""Find an SMS by its number: Aliyun's pushed delivery reports name a batch's BizId and
the number, not our row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 18:00:00

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_sms_to_phone", "sms_message", ["to_phone"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_sms_to_phone", table_name="sms_message")

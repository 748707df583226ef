"""SMS error codes as China's providers write them: isv.MOBILE_NUMBER_ILLEGAL,
FailedOperation.TemplateParamSetNotMatchApprovedTemplate … (up to 64 characters).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:20:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.alter_column(
            "error_code",
            existing_type=sa.String(length=16),
            type_=sa.String(length=64),
            existing_nullable=True,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.alter_column(
            "error_code",
            existing_type=sa.String(length=64),
            type_=sa.String(length=16),
            existing_nullable=True,
        )

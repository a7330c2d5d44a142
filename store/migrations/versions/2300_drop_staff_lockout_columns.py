"""drop staff_members.failed_logins and locked_until: staff sign-in is throttled by store.throttle

Revision ID: 2300_staff_lockout_columns
Revises: 2200_risk_v2
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import utc

revision: str = "2300_staff_lockout_columns"
down_revision: str | None = "2200_risk_v2"


def upgrade() -> None:
    # Batch mode: SQLite drops a column by rebuilding the table.
    with op.batch_alter_table("staff_members") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")


def downgrade() -> None:
    """The columns come back empty: the lockout state lives in ``login_throttles`` now."""
    with op.batch_alter_table("staff_members") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", utc(), nullable=True))

"""attempt_results: the customer an answer names (erasure deletes it) and an index to expire rows

Revision ID: 2310_attempt_results_customer
Revises: 2300_staff_lockout_columns
Create Date: 2026-12-02
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "2310_attempt_results_customer"
down_revision: str | None = "2300_staff_lockout_columns"


def upgrade() -> None:
    with op.batch_alter_table("attempt_results") as batch:
        batch.add_column(
            sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
    op.create_index("ix_attempt_results_customer_id", "attempt_results", ["customer_id"])
    op.create_index("ix_attempt_results_created_at", "attempt_results", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_attempt_results_created_at", table_name="attempt_results")
    op.drop_index("ix_attempt_results_customer_id", table_name="attempt_results")
    with op.batch_alter_table("attempt_results") as batch:
        batch.drop_column("customer_id")

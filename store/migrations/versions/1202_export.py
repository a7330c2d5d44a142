"""export: short-lived encrypted data exports

Revision ID: 1202_export
Revises: 1201_deprovisioning
Create Date: 2026-11-23
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1202_export"
down_revision: str | None = "1201_deprovisioning"

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "data_exports",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("customer_id", AutoString(length=36), nullable=False),
        sa.Column("journey_id", AutoString(length=200), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        sa.Column("box", sa.Text(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("consumed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id"),
    )
    op.create_index("ix_data_exports_customer_id", "data_exports", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_data_exports_customer_id", "data_exports")
    op.drop_table("data_exports")

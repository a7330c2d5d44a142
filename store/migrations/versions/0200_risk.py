"""risk: learned sign-in habits and recent sign-in events

Revision ID: 0200_risk
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0200_risk"
down_revision: str | None = "0001"


def upgrade() -> None:
    op.create_table(
        "risk_global_counts",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "risk_customer_counts",
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("parent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "key"),
    )
    with op.batch_alter_table("risk_customer_counts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_customer_counts_parent", ["customer_id", "parent", "level"], unique=False
        )
    op.create_table(
        "risk_login_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("ip_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "success"),
    )
    with op.batch_alter_table("risk_login_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_login_events_customer", ["customer_id", "success", "at"], unique=False
        )
        batch_op.create_index("ix_risk_login_events_ip", ["ip_key", "success", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_login_events", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_login_events_ip")
        batch_op.drop_index("ix_risk_login_events_customer")
    op.drop_table("risk_login_events")
    with op.batch_alter_table("risk_customer_counts", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_customer_counts_parent")
    op.drop_table("risk_customer_counts")
    op.drop_table("risk_global_counts")

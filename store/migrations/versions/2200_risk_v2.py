"""risk v2: failed steps by account (velocity) and known devices (binding)

Revision ID: 2200_risk_v2
Revises: 2100_merge
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import string, utc

revision: str = "2200_risk_v2"
down_revision: str | None = "2100_merge"


def upgrade() -> None:
    op.create_table(
        "risk_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", string(200), nullable=False),
        sa.Column("step", string(16), nullable=False),
        sa.Column("customer_id", string(36), nullable=True),
        sa.Column("account_key", string(200), nullable=False),
        sa.Column("ip_key", string(64), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "step", "at"),
    )
    op.create_index("ix_risk_failures_customer", "risk_failures", ["customer_id", "at"])
    op.create_index("ix_risk_failures_ip", "risk_failures", ["ip_key", "at"])
    op.create_table(
        "risk_known_devices",
        sa.Column("id", string(36), nullable=False),
        sa.Column("customer_id", string(36), nullable=False),
        sa.Column("device_key", string(64), nullable=False),
        sa.Column("label", string(120), nullable=False),
        sa.Column("bound_at", utc(), nullable=False),
        sa.Column("last_seen_at", utc(), nullable=False),
        sa.Column("revoked_at", utc(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "device_key"),
    )
    op.create_index(
        op.f("ix_risk_known_devices_customer_id"), "risk_known_devices", ["customer_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_known_devices_customer_id"), table_name="risk_known_devices")
    op.drop_table("risk_known_devices")
    op.drop_index("ix_risk_failures_ip", table_name="risk_failures")
    op.drop_index("ix_risk_failures_customer", table_name="risk_failures")
    op.drop_table("risk_failures")

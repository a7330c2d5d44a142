"""events: the outbox, webhook subscriptions and deliveries

Revision ID: 1200_events
Revises: 0900_merge
Create Date: 2026-11-23
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1200_events"
down_revision: str | None = "0900_merge"

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("event_id", AutoString(length=200), nullable=False),
        sa.Column("type", AutoString(length=64), nullable=False),
        sa.Column("customer_id", AutoString(length=36), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_outbox_events_type", "outbox_events", ["type"])
    op.create_index("ix_outbox_events_customer_id", "outbox_events", ["customer_id"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("url", AutoString(length=2000), nullable=False),
        sa.Column("event_types", AutoString(length=2000), nullable=False),
        sa.Column("secret_box", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", AutoString(length=200), nullable=False),
        sa.Column("subscription_id", AutoString(length=36), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", AutoString(length=500), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "subscription_id"),
    )
    op.create_index("ix_webhook_deliveries_event_id", "webhook_deliveries", ["event_id"])
    op.create_index(
        "ix_webhook_deliveries_subscription_id", "webhook_deliveries", ["subscription_id"]
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_outbox_events_customer_id", "outbox_events")
    op.drop_index("ix_outbox_events_type", "outbox_events")
    op.drop_table("outbox_events")

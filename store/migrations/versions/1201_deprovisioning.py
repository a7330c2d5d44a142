"""deprovisioning: scheduled deletions and erasure tombstones

Revision ID: 1201_deprovisioning
Revises: 1200_events
Create Date: 2026-11-23
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1201_deprovisioning"
down_revision: str | None = "1200_events"

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "deletion_requests",
        sa.Column("customer_id", AutoString(length=36), nullable=False),
        sa.Column("journey_id", AutoString(length=200), nullable=False),
        sa.Column("previous_status", AutoString(length=32), nullable=False),
        sa.Column("scheduled_for", UTCDateTime(), nullable=False),
        sa.Column("cancel_token_hash", AutoString(length=64), nullable=False),
        sa.Column("requested_by", AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index(
        "ix_deletion_requests_cancel_token_hash", "deletion_requests", ["cancel_token_hash"]
    )
    op.create_table(
        "erasure_tombstones",
        sa.Column("customer_id", AutoString(length=36), nullable=False),
        sa.Column("email_hash", AutoString(length=64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged", sa.Text(), nullable=False),
        sa.Column("unacknowledged", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index("ix_erasure_tombstones_email_hash", "erasure_tombstones", ["email_hash"])


def downgrade() -> None:
    op.drop_index("ix_erasure_tombstones_email_hash", "erasure_tombstones")
    op.drop_table("erasure_tombstones")
    op.drop_index("ix_deletion_requests_cancel_token_hash", "deletion_requests")
    op.drop_table("deletion_requests")

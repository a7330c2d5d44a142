"""outbox_events.customer_seq: each customer's events numbered in the order they were written,
unique per customer, so receivers order deliveries that arrive out of order; events written
before are numbered by (created_at, event_id)

Revision ID: 2500_outbox_customer_seq
Revises: 2400_staff_oidc_subjects
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision: str = "2500_outbox_customer_seq"
down_revision: str | None = "2400_staff_oidc_subjects"

NUMBER_EXISTING = """
UPDATE outbox_events SET customer_seq = (
    SELECT COUNT(*) FROM outbox_events AS earlier
    WHERE earlier.customer_id = outbox_events.customer_id
      AND (earlier.created_at < outbox_events.created_at
           OR (earlier.created_at = outbox_events.created_at
               AND earlier.event_id <= outbox_events.event_id))
)
WHERE customer_id IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("customer_seq", sa.Integer(), nullable=True))
    op.execute(NUMBER_EXISTING)
    with op.batch_alter_table("outbox_events") as batch:
        batch.create_unique_constraint(
            "uq_outbox_events_customer_seq", ["customer_id", "customer_seq"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_constraint("uq_outbox_events_customer_seq", type_="unique")
        batch.drop_column("customer_seq")

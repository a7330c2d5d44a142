"""staff-only OpenID clients: oauth_clients.staff_only; codes and tokens name a customer or a staff
member (staff_id), exactly one of them

Revision ID: 2400_staff_oidc_subjects
Revises: 2310_attempt_results_customer
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import string

revision: str = "2400_staff_oidc_subjects"
down_revision: str | None = "2310_attempt_results_customer"

ONE_SUBJECT = "(customer_id IS NULL) <> (staff_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("oauth_clients") as batch:
        batch.add_column(
            sa.Column("staff_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Batch mode: SQLite changes nullability and adds a CHECK by rebuilding the table.
    for table in ("oauth_codes", "oauth_tokens"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "customer_id",
                existing_type=string(36),
                nullable=True,
            )
            batch.add_column(sa.Column("staff_id", string(36), nullable=True))
            batch.create_foreign_key(f"fk_{table}_staff_id", "staff_members", ["staff_id"], ["id"])
            batch.create_index(f"ix_{table}_staff_id", ["staff_id"])
            batch.create_check_constraint(f"ck_{table}_one_subject", ONE_SUBJECT)


def downgrade() -> None:
    """Staff codes and tokens cannot exist without the column: they are deleted first."""
    for table in ("oauth_tokens", "oauth_codes"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE staff_id IS NOT NULL"))
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"ck_{table}_one_subject", type_="check")
            batch.drop_index(f"ix_{table}_staff_id")
            batch.drop_constraint(f"fk_{table}_staff_id", type_="foreignkey")
            batch.drop_column("staff_id")
            batch.alter_column(
                "customer_id",
                existing_type=string(36),
                nullable=False,
            )
    with op.batch_alter_table("oauth_clients") as batch:
        batch.drop_column("staff_only")

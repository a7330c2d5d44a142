"""client assertion jtis: private_key_jwt assertions already accepted, to refuse replays

Revision ID: 2010_client_assertion_jtis
Revises: 2000_upstream_idps
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import string, utc

revision: str = "2010_client_assertion_jtis"
down_revision: str | None = "2000_upstream_idps"


def upgrade() -> None:
    op.create_table(
        "oauth_client_assertions",
        sa.Column("client_id", string(100), nullable=False),
        sa.Column("jti_hash", string(64), nullable=False),
        sa.Column("expires_at", utc(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_clients.client_id"]),
        sa.PrimaryKeyConstraint("client_id", "jti_hash"),
    )
    op.create_index(
        op.f("ix_oauth_client_assertions_expires_at"),
        "oauth_client_assertions",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_oauth_client_assertions_expires_at"), table_name="oauth_client_assertions"
    )
    op.drop_table("oauth_client_assertions")

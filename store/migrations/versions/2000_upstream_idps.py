"""upstream OpenID providers: registry, identity links, sign-ins in flight

Revision ID: 2000_upstream_idps
Revises: 1900_merge
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import string, utc

revision: str = "2000_upstream_idps"
down_revision: str | None = "1900_merge"


def upgrade() -> None:
    op.create_table(
        "upstream_idps",
        sa.Column("name", string(64), nullable=False),
        sa.Column("issuer", string(500), nullable=False),
        sa.Column("client_id", string(255), nullable=False),
        sa.Column("secret_box", sa.Text(), nullable=False),
        sa.Column("scope", string(255), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "identity_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idp_name", string(64), nullable=False),
        sa.Column("issuer", string(500), nullable=False),
        sa.Column("subject", string(255), nullable=False),
        sa.Column("customer_id", string(36), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject"),
    )
    op.create_index(
        op.f("ix_identity_links_customer_id"), "identity_links", ["customer_id"], unique=False
    )
    op.create_table(
        "idp_logins",
        sa.Column("flow_hash", string(64), nullable=False),
        sa.Column("idp_name", string(64), nullable=False),
        sa.Column("state", string(64), nullable=False),
        sa.Column("nonce", string(64), nullable=False),
        sa.Column("verifier", string(128), nullable=False),
        sa.Column("return_to", string(500), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.Column("expires_at", utc(), nullable=False),
        sa.Column("used_at", utc(), nullable=True),
        sa.Column("link_customer_id", string(36), nullable=True),
        sa.Column("link_issuer", string(500), nullable=False),
        sa.Column("link_subject", string(255), nullable=False),
        sa.Column("linked_at", utc(), nullable=True),
        sa.PrimaryKeyConstraint("flow_hash"),
    )


def downgrade() -> None:
    op.drop_table("idp_logins")
    op.drop_index(op.f("ix_identity_links_customer_id"), table_name="identity_links")
    op.drop_table("identity_links")
    op.drop_table("upstream_idps")

"""oidc: OAuth clients, authorization codes, tokens and ID-token signing keys

Revision ID: 1300_oidc
Revises: 0900_merge
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import string, utc

revision: str = "1300_oidc"
down_revision: str | None = "0900_merge"


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", string(100), nullable=False),
        sa.Column("name", string(200), nullable=False),
        sa.Column("auth_method", string(32), nullable=False),
        sa.Column("secret_hash", string(64), nullable=False),
        sa.Column("jwks", sa.Text(), nullable=False),
        sa.Column("redirect_uris", sa.Text(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.Text(), nullable=False),
        sa.Column("scope", string(500), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.PrimaryKeyConstraint("client_id"),
    )
    op.create_table(
        "oauth_codes",
        sa.Column("code_hash", string(64), nullable=False),
        sa.Column("client_id", string(100), nullable=False),
        sa.Column("customer_id", string(36), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", string(500), nullable=False),
        sa.Column("nonce", string(255), nullable=False),
        sa.Column("code_challenge", string(128), nullable=False),
        sa.Column("code_challenge_method", string(8), nullable=False),
        sa.Column("sid", string(64), nullable=False),
        sa.Column("auth_time", utc(), nullable=False),
        sa.Column("acr", string(64), nullable=False),
        sa.Column("amr", string(100), nullable=False),
        sa.Column("family", string(64), nullable=False),
        sa.Column("expires_at", utc(), nullable=False),
        sa.Column("used_at", utc(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_clients.client_id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_index("ix_oauth_codes_customer_id", "oauth_codes", ["customer_id"])
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", string(100), nullable=False),
        sa.Column("customer_id", string(36), nullable=False),
        sa.Column("scope", string(500), nullable=False),
        sa.Column("family", string(64), nullable=False),
        sa.Column("sid", string(64), nullable=False),
        sa.Column("auth_time", utc(), nullable=False),
        sa.Column("acr", string(64), nullable=False),
        sa.Column("amr", string(100), nullable=False),
        sa.Column("access_hash", string(64), nullable=False),
        sa.Column("refresh_hash", string(64), nullable=True),
        sa.Column("issued_at", utc(), nullable=False),
        sa.Column("access_expires_at", utc(), nullable=False),
        sa.Column("refresh_expires_at", utc(), nullable=True),
        sa.Column("rotated_at", utc(), nullable=True),
        sa.Column("revoked_at", utc(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_clients.client_id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access_hash"),
        sa.UniqueConstraint("refresh_hash"),
    )
    op.create_index("ix_oauth_tokens_customer_id", "oauth_tokens", ["customer_id"])
    op.create_index("ix_oauth_tokens_family", "oauth_tokens", ["family"])
    op.create_index("ix_oauth_tokens_sid", "oauth_tokens", ["sid"])
    op.create_table(
        "oidc_signing_keys",
        sa.Column("kid", string(64), nullable=False),
        sa.Column("alg", string(16), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("private_box", sa.Text(), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.Column("retire_after", utc(), nullable=True),
        sa.PrimaryKeyConstraint("kid"),
    )


def downgrade() -> None:
    op.drop_table("oidc_signing_keys")
    op.drop_index("ix_oauth_tokens_sid", "oauth_tokens")
    op.drop_index("ix_oauth_tokens_family", "oauth_tokens")
    op.drop_index("ix_oauth_tokens_customer_id", "oauth_tokens")
    op.drop_table("oauth_tokens")
    op.drop_index("ix_oauth_codes_customer_id", "oauth_codes")
    op.drop_table("oauth_codes")
    op.drop_table("oauth_clients")

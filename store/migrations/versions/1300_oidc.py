"""oidc: OAuth clients, authorization codes, tokens and ID-token signing keys

Revision ID: 1300_oidc
Revises: 0900_merge
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1300_oidc"
down_revision: str | None = "0900_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", _s(100), nullable=False),
        sa.Column("name", _s(200), nullable=False),
        sa.Column("auth_method", _s(32), nullable=False),
        sa.Column("secret_hash", _s(64), nullable=False),
        sa.Column("jwks", sa.Text(), nullable=False),
        sa.Column("redirect_uris", sa.Text(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.Text(), nullable=False),
        sa.Column("scope", _s(500), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.PrimaryKeyConstraint("client_id"),
    )
    op.create_table(
        "oauth_codes",
        sa.Column("code_hash", _s(64), nullable=False),
        sa.Column("client_id", _s(100), nullable=False),
        sa.Column("customer_id", _s(36), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", _s(500), nullable=False),
        sa.Column("nonce", _s(255), nullable=False),
        sa.Column("code_challenge", _s(128), nullable=False),
        sa.Column("code_challenge_method", _s(8), nullable=False),
        sa.Column("sid", _s(64), nullable=False),
        sa.Column("auth_time", _at(), nullable=False),
        sa.Column("acr", _s(64), nullable=False),
        sa.Column("amr", _s(100), nullable=False),
        sa.Column("family", _s(64), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("used_at", _at(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_clients.client_id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_index("ix_oauth_codes_customer_id", "oauth_codes", ["customer_id"])
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", _s(100), nullable=False),
        sa.Column("customer_id", _s(36), nullable=False),
        sa.Column("scope", _s(500), nullable=False),
        sa.Column("family", _s(64), nullable=False),
        sa.Column("sid", _s(64), nullable=False),
        sa.Column("auth_time", _at(), nullable=False),
        sa.Column("acr", _s(64), nullable=False),
        sa.Column("amr", _s(100), nullable=False),
        sa.Column("access_hash", _s(64), nullable=False),
        sa.Column("refresh_hash", _s(64), nullable=True),
        sa.Column("issued_at", _at(), nullable=False),
        sa.Column("access_expires_at", _at(), nullable=False),
        sa.Column("refresh_expires_at", _at(), nullable=True),
        sa.Column("rotated_at", _at(), nullable=True),
        sa.Column("revoked_at", _at(), nullable=True),
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
        sa.Column("kid", _s(64), nullable=False),
        sa.Column("alg", _s(16), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("private_box", sa.Text(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("retire_after", _at(), nullable=True),
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

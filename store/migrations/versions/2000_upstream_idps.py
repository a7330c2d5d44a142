"""upstream OpenID providers: registry, identity links, sign-ins in flight

Revision ID: 2000_upstream_idps
Revises: 1900_merge
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "2000_upstream_idps"
down_revision: str | None = "1900_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "upstream_idps",
        sa.Column("name", _s(64), nullable=False),
        sa.Column("issuer", _s(500), nullable=False),
        sa.Column("client_id", _s(255), nullable=False),
        sa.Column("secret_box", sa.Text(), nullable=False),
        sa.Column("scope", _s(255), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "identity_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idp_name", _s(64), nullable=False),
        sa.Column("issuer", _s(500), nullable=False),
        sa.Column("subject", _s(255), nullable=False),
        sa.Column("customer_id", _s(36), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject"),
    )
    op.create_index(
        op.f("ix_identity_links_customer_id"), "identity_links", ["customer_id"], unique=False
    )
    op.create_table(
        "idp_logins",
        sa.Column("flow_hash", _s(64), nullable=False),
        sa.Column("idp_name", _s(64), nullable=False),
        sa.Column("state", _s(64), nullable=False),
        sa.Column("nonce", _s(64), nullable=False),
        sa.Column("verifier", _s(128), nullable=False),
        sa.Column("return_to", _s(500), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("used_at", _at(), nullable=True),
        sa.Column("link_customer_id", _s(36), nullable=True),
        sa.Column("link_issuer", _s(500), nullable=False),
        sa.Column("link_subject", _s(255), nullable=False),
        sa.Column("linked_at", _at(), nullable=True),
        sa.PrimaryKeyConstraint("flow_hash"),
    )


def downgrade() -> None:
    op.drop_table("idp_logins")
    op.drop_index(op.f("ix_identity_links_customer_id"), table_name="identity_links")
    op.drop_table("identity_links")
    op.drop_table("upstream_idps")

"""client assertion jtis: private_key_jwt assertions already accepted, to refuse replays

Revision ID: 2010_client_assertion_jtis
Revises: 2000_upstream_idps
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "2010_client_assertion_jtis"
down_revision: str | None = "2000_upstream_idps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "oauth_client_assertions",
        sa.Column("client_id", _s(100), nullable=False),
        sa.Column("jti_hash", _s(64), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
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

"""organizations owning email domains and an upstream provider (home-realm discovery)

Revision ID: 2020_organizations
Revises: 2000_upstream_idps
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "2020_organizations"
down_revision: str | None = "2000_upstream_idps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _s(100), nullable=False),
        sa.Column("idp_name", _s(64), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["idp_name"], ["upstream_idps.name"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_organizations_idp_name"), "organizations", ["idp_name"], unique=False)
    op.create_table(
        "organization_domains",
        sa.Column("domain", _s(253), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("domain"),
    )
    op.create_index(
        op.f("ix_organization_domains_organization_id"),
        "organization_domains",
        ["organization_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_organization_domains_organization_id"), table_name="organization_domains"
    )
    op.drop_table("organization_domains")
    op.drop_index(op.f("ix_organizations_idp_name"), table_name="organizations")
    op.drop_table("organizations")

"""organizations owning email domains and an upstream provider (home-realm discovery)

Revision ID: 2020_organizations
Revises: 2000_upstream_idps
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from store.migrations.columns import string, utc

revision: str = "2020_organizations"
down_revision: str | None = "2000_upstream_idps"


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", string(100), nullable=False),
        sa.Column("idp_name", string(64), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.ForeignKeyConstraint(["idp_name"], ["upstream_idps.name"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_organizations_idp_name"), "organizations", ["idp_name"], unique=False)
    op.create_table(
        "organization_domains",
        sa.Column("domain", string(253), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
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

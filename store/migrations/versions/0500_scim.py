"""scim: provisioning clients, resources, search index, group members; invitations

Revision ID: 0500_scim
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0500_scim"
down_revision: str | None = "0001"

_str = sqlmodel.sql.sqltypes.AutoString
_time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "scim_clients",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("name", _str(length=100), nullable=False),
        sa.Column("token_hash", _str(length=64), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("revoked_at", _time(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "scim_resources",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("resource_type", _str(length=16), nullable=False),
        sa.Column("customer_id", _str(length=36), nullable=True),
        sa.Column("unique_key", _str(length=320), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", _str(length=36), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("last_modified", _time(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resource_type", "unique_key"),
    )
    op.create_index("ix_scim_resources_customer_id", "scim_resources", ["customer_id"])
    op.create_table(
        "scim_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", _str(length=36), nullable=False),
        sa.Column("attr", _str(length=200), nullable=False),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("leading", sa.Boolean(), nullable=False),
        sa.Column("text", _str(length=1024), nullable=True),
        sa.Column("flag", sa.Boolean(), nullable=True),
        sa.Column("moment", _time(), nullable=True),
        sa.ForeignKeyConstraint(["resource_id"], ["scim_resources.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scim_index_attr_text", "scim_index", ["attr", "text"])
    op.create_index("ix_scim_index_resource_attr", "scim_index", ["resource_id", "attr"])
    op.create_table(
        "scim_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", _str(length=36), nullable=False),
        sa.Column("member_id", _str(length=36), nullable=False),
        sa.Column("member_type", _str(length=16), nullable=False),
        sa.Column("display", _str(length=256), nullable=True),
        sa.Column("added_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["scim_resources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "member_id"),
    )
    op.create_index("ix_scim_members_group_id", "scim_members", ["group_id"])
    op.create_index("ix_scim_members_member_id", "scim_members", ["member_id"])
    op.create_table(
        "invitations",
        sa.Column("id", _str(length=64), nullable=False),
        sa.Column("journey_id", _str(length=200), nullable=False),
        sa.Column("customer_id", _str(length=36), nullable=False),
        sa.Column("token_hash", _str(length=64), nullable=False),
        sa.Column("undelivered", sa.Text(), nullable=True),
        sa.Column("expires_at", _time(), nullable=False),
        sa.Column("sent_at", _time(), nullable=True),
        sa.Column("consumed_at", _time(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitations_journey_id", "invitations", ["journey_id"])
    op.create_index("ix_invitations_customer_id", "invitations", ["customer_id"])


def downgrade() -> None:
    op.drop_table("invitations")
    op.drop_table("scim_members")
    op.drop_table("scim_index")
    op.drop_table("scim_resources")
    op.drop_table("scim_clients")

"""Tables of SCIM provisioning: clients, provisioned users and groups, and their search index.

A SCIM User is a customer (``scim_users.id`` *is* ``customers.id``); the resource as the client
wrote it is kept as a JSON document so every attribute round-trips, while ``scim_index`` holds
one row per simple value (in the comparison form scim2-models' filters use), so filtering and
sorting on any attribute happen in the database on SQLite and PostgreSQL alike. Provisioning
tokens rest only as keyed hashes. Imported by :mod:`store.models` so every table is on
``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow


class ScimClient(SQLModel, table=True):
    """A provisioning client (an IdP connection); its bearer token is kept as a keyed hash."""

    __tablename__ = "scim_clients"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(unique=True, max_length=100)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class ScimResource(SQLModel, table=True):
    """A provisioned User or Group: its document, version (ETag) and timestamps.

    For a User, ``id`` is the customer's id and ``customer_id`` is set; ``name_key`` holds the
    comparison form of ``userName`` (Users) or ``displayName`` (Groups) so that uniqueness of
    ``userName`` is enforced by the database.
    """

    __tablename__ = "scim_resources"
    __table_args__ = (UniqueConstraint("resource_type", "unique_key"),)

    id: str = Field(primary_key=True, max_length=36)
    resource_type: str = Field(max_length=16)
    customer_id: str | None = Field(
        default=None, foreign_key="customers.id", index=True, max_length=36
    )
    unique_key: str | None = Field(default=None, max_length=320)
    document: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 1
    created_by: str = Field(max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    last_modified: datetime = Field(default_factory=utcnow)


class ScimIndex(SQLModel, table=True):
    """One simple value of a resource, in the form filters and sorting compare.

    ``attr`` is the attribute's URN in lower case (``urn:…:User:emails.value``); ``entry`` tells
    the entries of a multi-valued attribute apart (so ``emails[type eq "work" and value co "x"]``
    matches within one entry); ``leading`` marks the value a sort uses (the primary entry, else
    the first). Exactly one of ``text``, ``flag`` and ``moment`` is set.
    """

    __tablename__ = "scim_index"
    __table_args__ = (
        Index("ix_scim_index_attr_text", "attr", "text"),
        Index("ix_scim_index_resource_attr", "resource_id", "attr"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resource_id: str = Field(foreign_key="scim_resources.id", max_length=36)
    attr: str = Field(max_length=200)
    entry: int = 0
    leading: bool = True
    text: str | None = Field(default=None, max_length=1024)
    flag: bool | None = None
    moment: datetime | None = None


class ScimMember(SQLModel, table=True):
    """A member of a group (a provisioned User or Group), by id."""

    __tablename__ = "scim_members"
    __table_args__ = (UniqueConstraint("group_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: str = Field(foreign_key="scim_resources.id", index=True, max_length=36)
    member_id: str = Field(index=True, max_length=36)
    member_type: str = Field(max_length=16)
    display: str | None = Field(default=None, max_length=256)
    added_at: datetime = Field(default_factory=utcnow)

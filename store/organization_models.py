"""Tables of B2B organizations: which upstream provider an organization signs in with, and which
email domains it owns (home-realm discovery on ``/login``).

A domain belongs to at most one organization (it is the primary key) and is stored lower-case in
its ASCII (IDNA A-label) form, so ``Bücher.example`` and ``xn--bcher-kva.example`` are one row.
Imported by :mod:`store.models` so every table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from store.models import utcnow


class Organization(SQLModel, table=True):
    """A customer organization whose people sign in with its own upstream provider."""

    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    idp_name: str = Field(foreign_key="upstream_idps.name", index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class OrganizationDomain(SQLModel, table=True):
    """An email domain an organization owns: ``/login`` with such an email goes to its provider."""

    __tablename__ = "organization_domains"

    domain: str = Field(primary_key=True, max_length=253)
    organization_id: int = Field(foreign_key="organizations.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)

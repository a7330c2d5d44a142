"""Tables of progressive profiling and of the product applications posting business events.

Imported by :mod:`store.models` so every table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow


class ProfileField(SQLModel, table=True):
    """One collected profile field of a customer (the newest value; ``schema_version`` of it)."""

    __tablename__ = "profile_fields"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    name: str = Field(max_length=64)
    value: str = Field(max_length=256)
    schema_version: int
    source: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)


class ApiApp(SQLModel, table=True):
    """A product application allowed to post events; only a keyed hash of its key is kept."""

    __tablename__ = "api_apps"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    key_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)

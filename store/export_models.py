"""The short-lived data export: the file encrypted at rest, its download token only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.models import utcnow


class DataExport(SQLModel, table=True):
    """One export of everything held about a customer; deleted when its link expires."""

    __tablename__ = "data_exports"

    id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(index=True, max_length=36)
    journey_id: str = Field(unique=True, max_length=200)
    token_hash: str = Field(max_length=64)
    box: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime
    consumed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)

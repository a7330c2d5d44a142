"""Invitations: the single-use emailed link that opens a "set up your account" journey.

Only a keyed hash of the link token is kept. Until the mail server accepts the message the token
is kept sealed to the workers in ``undelivered`` (like a verification), so a retried send emails
the same link instead of a second one; the column is cleared once delivered. Imported by
:mod:`store.models` so the table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.models import utcnow


class Invitation(SQLModel, table=True):
    """One invitation email of one journey (``id`` is a ``workflow.uuid4()``)."""

    __tablename__ = "invitations"

    id: str = Field(primary_key=True, max_length=64)
    journey_id: str = Field(index=True, max_length=200)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    token_hash: str = Field(unique=True, max_length=64)
    undelivered: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    expires_at: datetime
    sent_at: datetime | None = None
    consumed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)

"""Tables of deprovisioning: the pending deletion (what to restore) and the erasure tombstone.

``deletion_requests`` remembers the status the account had before its deletion was scheduled, so
cancelling restores it exactly; its cancel-link token is kept only as a keyed hash. The tombstone is
what remains of an erased customer: a keyed hash of the email (to recognise a returning address or
answer a regulator, never to recover it), the dates, and which connected systems acknowledged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.models import utcnow


class DeletionRequest(SQLModel, table=True):
    """A scheduled deletion; removed again when it is cancelled."""

    __tablename__ = "deletion_requests"

    customer_id: str = Field(primary_key=True, max_length=36)
    journey_id: str = Field(max_length=200)
    previous_status: str = Field(max_length=32)
    scheduled_for: datetime
    cancel_token_hash: str = Field(default="", index=True, max_length=64)
    requested_by: str = Field(default="customer", max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class ErasureTombstone(SQLModel, table=True):
    """Proof of an erasure without the personal data: keyed email hash, dates, acknowledgements."""

    __tablename__ = "erasure_tombstones"

    customer_id: str = Field(primary_key=True, max_length=36)
    email_hash: str = Field(index=True, max_length=64)
    requested_at: datetime
    erased_at: datetime = Field(default_factory=utcnow)
    acknowledged: str = Field(default="", sa_column=Column(Text, nullable=False))
    unacknowledged: str = Field(default="", sa_column=Column(Text, nullable=False))

"""Tables for support staff: accounts with a mandatory second factor, and their sessions.

Kept apart from customers on purpose: a staff member is not a customer, a staff session cookie is
not a customer session cookie, and nothing a customer can do reaches these rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.models import utcnow


class StaffMember(SQLModel, table=True):
    """A support or admin account.

    ``password_hash`` is argon2id; ``totp_box`` is the TOTP secret AES-GCM encrypted under a key
    derived from ``THRESHOLD_SECRET_KEY`` (never stored in the clear); ``totp_last_step`` is the
    last accepted 30-second step, so each code is accepted once. Sign-in is throttled by
    :mod:`store.throttle`, not by counters on this row.
    """

    __tablename__ = "staff_members"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(unique=True, max_length=320)
    role: str = Field(max_length=16)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    totp_box: str = Field(sa_column=Column(Text, nullable=False))
    totp_last_step: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None


class StaffSession(SQLModel, table=True):
    """A signed-in staff browser (``kind`` ``browser``) or a bearer token (``kind`` ``token``).

    Only the SHA-256 of the random id is stored.
    """

    __tablename__ = "staff_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    staff_id: str = Field(foreign_key="staff_members.id", index=True, max_length=36)
    kind: str = Field(default="browser", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    idle_expires_at: datetime
    absolute_expires_at: datetime
    revoked_at: datetime | None = None

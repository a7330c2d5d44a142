"""Tables of the system of record. Secrets appear only as hashes; times are aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

#: Customer statuses that may sign in: a deletion in its grace period may (the login journey's
#: deletion gate then offers to keep the account); deactivated or deleted customers may not.
SIGN_IN_STATUSES = frozenset({"active", "pending_deletion"})


def utcnow() -> datetime:
    """Aware UTC now; SQLModel's ``UTCDateTime`` columns refuse naive datetimes."""
    return datetime.now(UTC)


class Customer(SQLModel, table=True):
    """A person with an account; ``created_by_journey`` makes creation idempotent."""

    __tablename__ = "customers"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(unique=True, max_length=320)
    email_lookup: str = Field(index=True, max_length=64)
    status: str = Field(default="active", max_length=32)
    created_by_journey: str = Field(unique=True, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    verified_at: datetime | None = None


class Credential(SQLModel, table=True):
    """A way to authenticate; ``secret_hash`` is an argon2id hash for passwords."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("customer_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    kind: str = Field(max_length=32)
    secret_hash: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PendingRegistration(SQLModel, table=True):
    """What a registration journey collected before the email is proven; one row per journey."""

    __tablename__ = "pending_registrations"

    journey_id: str = Field(primary_key=True, max_length=200)
    email: str = Field(max_length=320)
    email_lookup: str = Field(index=True, max_length=64)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    existing_customer: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Verification(SQLModel, table=True):
    """A one-time code and link sent by email; only keyed hashes of both are kept.

    ``undelivered`` holds the code and link token sealed to the workers until the mail server has
    accepted the message, so a retried activity resends the same code instead of a second one; it is
    cleared as soon as delivery succeeds.
    """

    __tablename__ = "verifications"

    id: str = Field(primary_key=True, max_length=64)
    journey_id: str = Field(index=True, max_length=200)
    purpose: str = Field(max_length=32)
    code_hash: str = Field(max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    undelivered: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    code_expires_at: datetime
    link_expires_at: datetime
    attempts: int = 0
    max_attempts: int = 5
    consumed_at: datetime | None = None
    sent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Session(SQLModel, table=True):
    """A signed-in browser; the cookie holds the id, the table only its SHA-256."""

    __tablename__ = "sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    journey_id: str | None = Field(default=None, unique=True, max_length=200)
    amr: str = Field(default="", max_length=100)
    acr: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    ip: str = Field(default="", max_length=64)
    country: str = Field(default="", max_length=8)
    browser: str = Field(default="", max_length=64)
    os: str = Field(default="", max_length=64)
    device_type: str = Field(default="", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    authenticated_at: datetime | None = None
    last_seen_at: datetime = Field(default_factory=utcnow)
    idle_expires_at: datetime
    absolute_expires_at: datetime
    revoked_at: datetime | None = None


class ConsentRecord(SQLModel, table=True):
    """An append-only grant or withdrawal of one versioned purpose."""

    __tablename__ = "consent_records"
    __table_args__ = (UniqueConstraint("journey_id", "purpose", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    purpose: str = Field(max_length=64)
    version: str = Field(max_length=32)
    granted: bool
    channel: str = Field(max_length=32)
    journey_id: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what, when; ``key`` makes writing the same event twice a no-op."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    kind: str = Field(index=True, max_length=64)
    customer_id: str | None = Field(default=None, index=True, max_length=36)
    journey_id: str | None = Field(default=None, index=True, max_length=200)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utcnow)


# Each feature's tables live in their own module; importing it registers them on the metadata.
from store import (  # noqa: E402, F401
    deprovisioning_models,
    events_models,
    export_models,
    idp_models,
    invitation_models,
    login_models,
    oidc_models,
    organization_models,
    passkey_models,
    profile_models,
    risk_models,
    scim_models,
    staff_models,
)

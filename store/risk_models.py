"""Tables of adaptive authentication: learned sign-in habits and recent sign-in events.

Feature values (IP addresses, networks, browsers, device-cookie hashes) are stored only as keyed
hashes of their paths (see :mod:`workers.risk.store`), so these tables say how often a customer
used *something* without naming it. Imported by :mod:`store.models` so every table is on
``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow


class RiskGlobalCount(SQLModel, table=True):
    """How many successful sign-ins, over all customers, had this feature value (``p_A``)."""

    __tablename__ = "risk_global_counts"

    key: str = Field(primary_key=True, max_length=64)
    count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class RiskCustomerCount(SQLModel, table=True):
    """How many of one customer's successful sign-ins had this feature value (``p_U``).

    ``parent`` and ``level`` let the model count how many distinct values the customer used under
    one parent (e.g. distinct networks in one country) without reading every row.
    """

    __tablename__ = "risk_customer_counts"
    __table_args__ = (Index("ix_risk_customer_counts_parent", "customer_id", "parent", "level"),)

    customer_id: str = Field(primary_key=True, max_length=36)
    key: str = Field(primary_key=True, max_length=64)
    parent: str = Field(max_length=64)
    level: str = Field(max_length=16)
    count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow)


class RiskLoginEvent(SQLModel, table=True):
    """One recorded sign-in outcome; unique per journey and outcome so a retry records nothing.

    Failures feed the velocity features, successes the impossible-travel check.
    """

    __tablename__ = "risk_login_events"
    __table_args__ = (
        UniqueConstraint("journey_id", "success"),
        Index("ix_risk_login_events_customer", "customer_id", "success", "at"),
        Index("ix_risk_login_events_ip", "ip_key", "success", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    journey_id: str = Field(max_length=200)
    success: bool
    customer_id: str | None = Field(default=None, max_length=36)
    ip_key: str = Field(max_length=64)
    country: str = Field(default="", max_length=8)
    at: datetime


class RiskFailure(SQLModel, table=True):
    """One failed step of a sign-in (wrong password, wrong second factor, refused): velocity.

    Unique per journey, step and attempt time, so a journey's every wrong password counts once
    and a retried activity counts nothing more. ``account_key`` names the account the attempt
    claimed (customer id, or the journey for an unknown email), so failures from one IP address
    can be counted by distinct accounts.
    """

    __tablename__ = "risk_failures"
    __table_args__ = (
        UniqueConstraint("journey_id", "step", "at"),
        Index("ix_risk_failures_customer", "customer_id", "at"),
        Index("ix_risk_failures_ip", "ip_key", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    journey_id: str = Field(max_length=200)
    step: str = Field(max_length=16)
    customer_id: str | None = Field(default=None, max_length=36)
    account_key: str = Field(max_length=200)
    ip_key: str = Field(max_length=64)
    at: datetime


class RiskKnownDevice(SQLModel, table=True):
    """A device that passed a second factor for a customer; revocable ("forget this device").

    ``device_key`` is a keyed hash of the device-cookie hash the journey saw, ``id`` the random
    handle the sessions page uses, ``label`` the browser and system shown to the customer. A
    revoked row stays (``revoked_at``) so the forgotten device counts as unknown again even
    though the customer's sign-in counts remember its cookie.
    """

    __tablename__ = "risk_known_devices"
    __table_args__ = (UniqueConstraint("customer_id", "device_key"),)

    id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(index=True, max_length=36)
    device_key: str = Field(max_length=64)
    label: str = Field(default="", max_length=120)
    bound_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None

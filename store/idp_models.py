"""Tables of sign-in with upstream OpenID providers: the registry, identity links, pending sign-ins.

A provider's client secret rests as AES-GCM ciphertext under a key derived from
``THRESHOLD_SECRET_KEY`` (the provider's name is the associated data, so a box cannot be moved to
another row). A pending sign-in is found by the keyed hash of a random value that only the
browser's cookie holds, so the state, nonce and PKCE verifier never leave the server. Imported by
:mod:`store.models` so every table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow


class UpstreamIdp(SQLModel, table=True):
    """An upstream OpenID provider; its endpoints come from discovery at sign-in time."""

    __tablename__ = "upstream_idps"

    name: str = Field(primary_key=True, max_length=64)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=255)
    secret_box: str = Field(sa_column=Column(Text, nullable=False))
    scope: str = Field(default="openid email", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class IdentityLink(SQLModel, table=True):
    """An upstream identity (``issuer`` + ``subject``) that signs a customer in."""

    __tablename__ = "identity_links"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    idp_name: str = Field(max_length=64)
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)


class IdpLogin(SQLModel, table=True):
    """One sign-in in flight: what the callback checks, and, when the email belongs to an existing
    customer, the identity waiting to be linked once that customer proves control locally."""

    __tablename__ = "idp_logins"

    flow_hash: str = Field(primary_key=True, max_length=64)
    idp_name: str = Field(max_length=64)
    state: str = Field(max_length=64)
    nonce: str = Field(max_length=64)
    verifier: str = Field(max_length=128)
    return_to: str = Field(default="/account", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    link_customer_id: str | None = Field(default=None, max_length=36)
    link_issuer: str = Field(default="", max_length=500)
    link_subject: str = Field(default="", max_length=255)
    linked_at: datetime | None = None

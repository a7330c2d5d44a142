"""Tables of the OpenID provider: registered clients, authorization codes, tokens, signing keys,
client assertions already seen.

A code or token is about exactly one subject: a customer (``customer_id``) for an ordinary client,
or a staff member (``staff_id``) for a client registered ``staff_only`` (the Temporal UI). A CHECK
constraint keeps the two apart, so no row can name both or neither.

Nothing here is usable if the database leaks: client secrets, codes, access and refresh tokens rest
as keyed hashes (HMAC-SHA256 under a key derived from ``THRESHOLD_SECRET_KEY``) and signing keys'
private halves as AES-GCM ciphertext under another derived key. Imported by
:mod:`store.models` so every table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from store.models import utcnow

#: Exactly one of the two subjects of a code or token.
ONE_SUBJECT = "(customer_id IS NULL) <> (staff_id IS NULL)"


class OAuthClient(SQLModel, table=True):
    """A relying party; ``auth_method`` is ``none`` (public, PKCE), ``client_secret_basic`` or
    ``private_key_jwt``; redirect URIs are matched by exact string, one per line.

    ``staff_only`` clients (internal tools such as the Temporal UI) sign in staff members with
    their staff credentials, never customers; every other client signs in customers only.
    """

    __tablename__ = "oauth_clients"

    client_id: str = Field(primary_key=True, max_length=100)
    name: str = Field(max_length=200)
    auth_method: str = Field(max_length=32)
    secret_hash: str = Field(default="", max_length=64)
    jwks: str = Field(default="", sa_column=Column(Text, nullable=False))
    redirect_uris: str = Field(sa_column=Column(Text, nullable=False))
    post_logout_redirect_uris: str = Field(default="", sa_column=Column(Text, nullable=False))
    scope: str = Field(default="openid profile email offline_access", max_length=500)
    staff_only: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class OAuthCode(SQLModel, table=True):
    """An authorization code (its keyed hash); single use: ``used_at`` is set by a conditional
    UPDATE, and a second use revokes every token the first one issued."""

    __tablename__ = "oauth_codes"
    __table_args__ = (CheckConstraint(ONE_SUBJECT, name="ck_oauth_codes_one_subject"),)

    code_hash: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(foreign_key="oauth_clients.client_id", max_length=100)
    customer_id: str | None = Field(
        default=None, foreign_key="customers.id", index=True, max_length=36
    )
    staff_id: str | None = Field(
        default=None, foreign_key="staff_members.id", index=True, max_length=36
    )
    redirect_uri: str = Field(sa_column=Column(Text, nullable=False))
    scope: str = Field(max_length=500)
    nonce: str = Field(default="", max_length=255)
    code_challenge: str = Field(default="", max_length=128)
    code_challenge_method: str = Field(default="", max_length=8)
    sid: str = Field(max_length=64)
    auth_time: datetime
    acr: str = Field(default="", max_length=64)
    amr: str = Field(default="", max_length=100)
    family: str = Field(max_length=64)
    expires_at: datetime
    used_at: datetime | None = None


class OAuthToken(SQLModel, table=True):
    """An access token and its refresh token (keyed hashes). Every token issued from one code
    shares a ``family``: presenting an already-rotated refresh token revokes the whole family."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (CheckConstraint(ONE_SUBJECT, name="ck_oauth_tokens_one_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="oauth_clients.client_id", max_length=100)
    customer_id: str | None = Field(
        default=None, foreign_key="customers.id", index=True, max_length=36
    )
    staff_id: str | None = Field(
        default=None, foreign_key="staff_members.id", index=True, max_length=36
    )
    scope: str = Field(max_length=500)
    family: str = Field(index=True, max_length=64)
    sid: str = Field(index=True, max_length=64)
    auth_time: datetime
    acr: str = Field(default="", max_length=64)
    amr: str = Field(default="", max_length=100)
    access_hash: str = Field(unique=True, max_length=64)
    refresh_hash: str | None = Field(default=None, unique=True, max_length=64)
    issued_at: datetime = Field(default_factory=utcnow)
    access_expires_at: datetime
    refresh_expires_at: datetime | None = None
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None


class ClientAssertion(SQLModel, table=True):
    """A ``private_key_jwt`` assertion already accepted (its ``jti``'s keyed hash), kept until the
    assertion could no longer be accepted anyway. The primary key (client, jti) makes the INSERT
    the replay check: of two requests with one assertion, the second insert fails."""

    __tablename__ = "oauth_client_assertions"

    client_id: str = Field(foreign_key="oauth_clients.client_id", primary_key=True, max_length=100)
    jti_hash: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)


class SigningKey(SQLModel, table=True):
    """An ID-token signing key: public JWK in the clear, private JWK as AES-GCM ciphertext.

    The newest key signs; older keys stay in the JWKS until ``retire_after`` so tokens signed
    before a rotation still verify (overlap).
    """

    __tablename__ = "oidc_signing_keys"

    kid: str = Field(primary_key=True, max_length=64)
    alg: str = Field(max_length=16)
    public_jwk: str = Field(sa_column=Column(Text, nullable=False))
    private_box: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    retire_after: datetime | None = None

"""Tables of passkeys (WebAuthn): the credentials themselves and the challenges that start them.

Nothing here is secret: a passkey's private key never leaves the authenticator, the public key and
credential id are public by design, and a challenge is a nonce the browser sees anyway. What matters
is integrity: a challenge belongs to one journey and is spent once; a sign count only moves forward.
Imported by :mod:`store.models` so every table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.models import utcnow


class Passkey(SQLModel, table=True):
    """One WebAuthn credential (base64url ids and key).

    ``customer_id`` is empty while the registration journey that created it has not yet created
    its customer; ``created_by_ceremony`` makes a retried registration return the same row.
    ``flagged_at`` records the last sign-count regression (a possibly cloned authenticator).
    """

    __tablename__ = "passkeys"

    id: int | None = Field(default=None, primary_key=True)
    credential_id: str = Field(unique=True, max_length=1400)
    customer_id: str | None = Field(
        default=None, foreign_key="customers.id", index=True, max_length=36
    )
    created_by_journey: str = Field(index=True, max_length=200)
    created_by_ceremony: str = Field(unique=True, max_length=64)
    user_handle: str = Field(max_length=100)
    public_key: str = Field(sa_column=Column(Text, nullable=False))
    sign_count: int = 0
    transports: str = Field(default="", max_length=200)
    name: str = Field(default="Passkey", max_length=64)
    backed_up: bool = False
    sign_count_regressions: int = 0
    flagged_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None


class PasskeyChallenge(SQLModel, table=True):
    """One WebAuthn ceremony: its challenge, the journey it is bound to, and its single use.

    ``expected_customer_id`` restricts an authentication to one customer's passkeys (step-up) or
    names the owner of a passkey being added; ``response_hash`` (SHA-256 of the answer that spent
    it) lets a retried activity return the same result instead of failing as a reuse.
    """

    __tablename__ = "passkey_challenges"

    id: str = Field(primary_key=True, max_length=64)
    journey_id: str = Field(index=True, max_length=200)
    purpose: str = Field(max_length=16)
    challenge: str = Field(max_length=100)
    user_handle: str = Field(default="", max_length=100)
    expected_customer_id: str | None = Field(default=None, max_length=36)
    expires_at: datetime
    consumed_at: datetime | None = None
    response_hash: str = Field(default="", max_length=64)
    result: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow)

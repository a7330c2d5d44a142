"""The passkeys activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/passkeys.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef


class BeginPasskeyRegistration(BaseModel):
    """Start creating a passkey for ``user_name``; ``customer_id`` when the customer exists."""

    journey_id: str
    ceremony_id: str
    user_name: str
    customer_id: str | None = None


class BeginPasskeyAuthentication(BaseModel):
    """Start a sign-in; ``customer_id`` restricts it to that customer's passkeys (step-up)."""

    journey_id: str
    ceremony_id: str
    customer_id: str | None = None


class PasskeyOptions(BaseModel):
    """The ``publicKey`` options (JSON) the page hands to the browser's WebAuthn API."""

    ceremony_id: str
    options: str


class FinishPasskeyCeremony(BaseModel):
    """The browser's JSON answer to the options of ``ceremony_id``."""

    journey_id: str
    ceremony_id: str
    response: str
    name: str = "Passkey"


class RegisteredPasskey(BaseModel):
    """The stored credential (the same one on every retry)."""

    passkey_id: int


class AuthenticatedPasskey(BaseModel):
    """Who the passkey proved, and how (RFC 8176 ``amr`` values; see docs/security.md)."""

    customer_id: str
    email: str
    email_lookup: str
    passkey_id: int
    user_verified: bool
    amr: list[str]


class PasskeyActivities:
    """Typed references to the passkeys activities, for ``Journey.step``."""

    begin_registration = ActivityRef(
        "passkeys.begin_registration",
        BeginPasskeyRegistration,
        PasskeyOptions,
        local=True,
    )
    finish_registration = ActivityRef(
        "passkeys.finish_registration",
        FinishPasskeyCeremony,
        RegisteredPasskey,
        local=True,
    )
    begin_authentication = ActivityRef(
        "passkeys.begin_authentication",
        BeginPasskeyAuthentication,
        PasskeyOptions,
        local=True,
    )
    finish_authentication = ActivityRef(
        "passkeys.finish_authentication",
        FinishPasskeyCeremony,
        AuthenticatedPasskey,
        local=True,
    )

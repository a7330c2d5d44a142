"""The identity activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/identity.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed


class StageRegistration(BaseModel):
    """The sign-up form as the workflow holds it: email encrypted at rest, password sealed.

    ``password`` is ``None`` when the customer creates a passkey instead of a password;
    ``instead_of_passkey`` stages a password later, for one who gave up on the passkey.
    """

    journey_id: str
    email: str
    password: Sealed | None = None
    instead_of_passkey: bool = False


class StagedRegistration(BaseModel):
    """``existing`` tells the journey to send "you already have an account" instead of a code."""

    email_lookup: str
    existing: bool


class CreateCustomer(BaseModel):
    """Create the customer staged by this journey."""

    journey_id: str


class UpstreamIdentity(BaseModel):
    """Who an upstream OpenID provider says signed in, as the web verified it from the ID token.

    ``profile`` holds profile fields the provider shared (e.g. ``display_name`` from ``name``),
    stored at creation so progressive profiling never asks for them again.
    """

    idp_name: str
    issuer: str
    subject: str
    email: str
    email_verified: bool
    profile: dict[str, str] = {}


class CreateFederatedCustomer(BaseModel):
    """Create the customer staged by this journey, linked to its upstream identity."""

    journey_id: str
    upstream: UpstreamIdentity


class CreatedCustomer(BaseModel):
    """The customer the journey created (the same one on every retry)."""

    customer_id: str


class IdentityActivities:
    """Typed references to the identity activities, for ``Journey.step``."""

    stage_registration = ActivityRef(
        "identity.stage_registration", StageRegistration, StagedRegistration
    )
    create_customer = ActivityRef(
        "identity.create_customer", CreateCustomer, CreatedCustomer, local=True
    )
    create_federated_customer = ActivityRef(
        "identity.create_federated_customer",
        CreateFederatedCustomer,
        CreatedCustomer,
        local=True,
    )

"""The registration's last step in one activity: its contract (messages and typed reference).

Accepting the terms used to run five steps one after another: create the customer, emit
``customer.created`` and ``customer.verified``, record the consents, emit ``consent.changed``,
record the browser as the risk baseline. ``registration.create`` writes the customer, its
credential (or upstream link), its consents, their audit rows and the three outbox events in ONE
transaction, keyed by the journey id, then records the baseline and starts the events' deliveries.
``workers/activities/registration.py`` implements it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.consent import PurposeGrant
from contracts.identity import CreatedCustomer, UpstreamIdentity


class Browser(BaseModel):
    """The browser that registered: recorded as the new customer's first sign-in (risk)."""

    client_ip: str
    user_agent: str
    device: str
    at: datetime
    client_hints: str = ""


class CreateRegistered(BaseModel):
    """Create the customer staged by ``journey_id`` with what they agreed to.

    ``upstream``: a first upstream sign-in, linked to that identity instead of a password or
    passkey credential.
    """

    journey_id: str
    grants: list[PurposeGrant]
    browser: Browser
    upstream: UpstreamIdentity | None = None


class RegistrationActivities:
    """Typed references to the registration activities, for ``Journey.step``."""

    create = ActivityRef("registration.create", CreateRegistered, CreatedCustomer, local=True)

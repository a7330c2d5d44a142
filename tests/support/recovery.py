"""Helpers for account recovery tests: start the journey, and customers in each recovery policy."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlmodel import col
from temporalio.client import Client

from contracts.passkeys import BeginPasskeyRegistration, FinishPasskeyCeremony
from core.settings import Settings
from journeys.kit import JourneyStart
from store.db import session_for
from store.models import Credential
from tests.support.journeys import JourneyRun, start_journey
from tests.support.passkeys import SoftPasskey
from tests.support.store import new_journey_id, register_customer, unique_email
from workers.activities.passkeys import PasskeyActivitiesImpl

PASSWORD = "violet-tractor-harbour"
NEW_PASSWORD = "copper-lantern-meadow"


async def start_recovery(
    client: Client, settings: Settings, *, ip: str = "198.51.100.7"
) -> JourneyRun:
    """Start a recovery journey as a browser at ``ip`` would."""
    return await start_journey(
        client, settings, "recovery", JourneyStart(client_ip=ip, return_to="/account")
    )


def add_passkey(settings: Settings, customer_id: str, email: str) -> SoftPasskey:
    """Register a passkey for the customer; returns the software authenticator holding it."""
    passkeys, authenticator = PasskeyActivitiesImpl(settings), SoftPasskey(settings.base_url)
    journey_id, ceremony_id = new_journey_id("add-passkey"), str(uuid.uuid4())
    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(
            journey_id=journey_id, ceremony_id=ceremony_id, user_name=email, customer_id=customer_id
        )
    )
    passkeys.finish_registration(
        FinishPasskeyCeremony(
            journey_id=journey_id,
            ceremony_id=ceremony_id,
            response=authenticator.create(begun.options),
        )
    )
    return authenticator


def passkey_only_customer(settings: Settings) -> tuple[str, str]:
    """A customer who signs in only with a passkey: ``(customer_id, email)``."""
    email = unique_email("passkey-only")
    customer_id = register_customer(settings, email, PASSWORD)
    add_passkey(settings, customer_id, email)
    with session_for(settings.database_url) as db:
        db.execute(delete(Credential).where(col(Credential.customer_id) == customer_id))
    return customer_id, email

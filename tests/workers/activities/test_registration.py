"""registration.create: the customer, its consents, audit and events in one transaction, once.

Run in an activity environment with the real client (the outbox starts deliveries through it),
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from contracts.consent import PurposeGrant
from contracts.errors import ErrorCode
from contracts.identity import UpstreamIdentity
from contracts.registration import Browser, CreateRegistered
from core.settings import Settings
from store.events_models import OutboxEvent
from store.idp_models import IdentityLink
from store.models import AuditEvent, ConsentRecord, Credential, Customer, PendingRegistration
from store.risk_models import RiskLoginEvent
from tests.conftest import MakeSettings
from tests.support.store import new_journey_id, register_customer, rows, unique_email
from tests.workers.activities.test_identity import stage_request
from workers.activities.identity import IdentityActivitiesImpl
from workers.activities.registration import RegistrationActivitiesImpl

GRANTS = [
    PurposeGrant(purpose="terms", version="2026-01", granted=True),
    PurposeGrant(purpose="marketing_email", version="2026-01", granted=True),
]
BROWSER = Browser(
    client_ip="81.2.69.160",
    user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36",
    device="device-1",
    at=datetime.now(UTC),
)


@pytest.fixture
def db_client_settings(make_settings: MakeSettings, db_url: str, client: Client) -> Settings:
    """Settings on SQLite or PostgreSQL (``db_url``) whose deliveries start on the dev server."""
    return make_settings(db_url)


def written(settings: Settings, journey_id: str, customer_id: str) -> dict[str, object]:
    """Everything registration wrote for the journey, by table."""
    return {
        "customers": len(rows(settings, Customer, created_by_journey=journey_id)),
        "credentials": [c.kind for c in rows(settings, Credential, customer_id=customer_id)],
        "consents": sorted(c.purpose for c in rows(settings, ConsentRecord, journey_id=journey_id)),
        "audit": sorted(
            a.kind
            for a in rows(settings, AuditEvent, journey_id=journey_id, customer_id=customer_id)
        ),
        "events": sorted(e.type for e in rows(settings, OutboxEvent, customer_id=customer_id)),
        "baseline": len(rows(settings, RiskLoginEvent, journey_id=journey_id)),
        "staged": len(rows(settings, PendingRegistration, journey_id=journey_id)),
    }


async def test_a_retry_finds_everything_its_first_attempt_wrote(
    client: Client, db_client_settings: Settings
) -> None:
    settings = db_client_settings
    journey_id = new_journey_id("registration")
    IdentityActivitiesImpl(settings).stage_registration(
        stage_request(settings, journey_id, unique_email())
    )
    request = CreateRegistered(journey_id=journey_id, grants=GRANTS, browser=BROWSER)
    impl = RegistrationActivitiesImpl(settings)
    env = ActivityEnvironment(client=client)

    first = await env.run(impl.create, request)
    again = await env.run(impl.create, request)

    assert again == first
    assert written(settings, journey_id, first.customer_id) == {
        "customers": 1,
        "credentials": ["password"],
        "consents": ["marketing_email", "terms"],
        "audit": ["consent.changed", "customer.created"],
        "events": ["consent.changed", "customer.created", "customer.verified"],
        "baseline": 1,
        "staged": 0,
    }


async def test_an_upstream_identity_is_linked_instead_of_a_credential(
    client: Client, db_client_settings: Settings
) -> None:
    settings = db_client_settings
    journey_id, email = new_journey_id("registration"), unique_email()
    IdentityActivitiesImpl(settings).stage_registration(
        stage_request(settings, journey_id, email).model_copy(update={"password": None})
    )
    upstream = UpstreamIdentity(
        idp_name="acme",
        issuer="https://login.acme.example",
        subject=f"sub-{email}",
        email=email,
        email_verified=True,
    )
    request = CreateRegistered(
        journey_id=journey_id, grants=GRANTS[:1], browser=BROWSER, upstream=upstream
    )

    created = await ActivityEnvironment(client=client).run(
        RegistrationActivitiesImpl(settings).create, request
    )

    [link] = rows(settings, IdentityLink, customer_id=created.customer_id)
    assert link.subject == f"sub-{email}"
    assert written(settings, journey_id, created.customer_id)["credentials"] == []


async def test_an_email_taken_meanwhile_writes_nothing(
    client: Client, db_client_settings: Settings
) -> None:
    settings = db_client_settings
    journey_id, email = new_journey_id("registration"), unique_email()
    IdentityActivitiesImpl(settings).stage_registration(stage_request(settings, journey_id, email))
    register_customer(settings, email)
    request = CreateRegistered(journey_id=journey_id, grants=GRANTS, browser=BROWSER)

    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment(client=client).run(
            RegistrationActivitiesImpl(settings).create, request
        )

    assert refused.value.type == ErrorCode.EMAIL_TAKEN
    assert rows(settings, ConsentRecord, journey_id=journey_id) == []
    assert [e for e in rows(settings, OutboxEvent) if e.event_id.startswith(journey_id)] == []

"""sign_in.gather: each decision records what it settles, once, however often it runs.

Run directly in an activity environment with the real client (the outbox starts deliveries and
profiling reaches the profile workflow through it), on SQLite, with a worker for the profile
workflow and the risk policy pinned per test.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from contracts.risk import LoginSignals
from contracts.sign_in import GatherSignIn, SignInFacts
from core.settings import Settings
from store.db import session_for
from store.deprovisioning_models import DeletionRequest
from store.events_models import OutboxEvent
from store.models import AuditEvent
from store.risk_models import RiskFailure, RiskLoginEvent
from tests.support.login import Policy, pinned
from tests.support.store import register_customer, rows, unique_email
from workers.activities.sign_in import SignInActivitiesImpl

PASSWORD = "violet-tractor-harbour"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36"


def attempt(customer_id: str, **changes: object) -> GatherSignIn:
    signals = LoginSignals(
        journey_id=f"login-{uuid.uuid4()}",
        customer_id=customer_id,
        client_ip="81.2.69.160",
        user_agent=CHROME,
        device="device-1",
        at=datetime.now(UTC),
    )
    return GatherSignIn(signals=signals, amr=["pwd"]).model_copy(update=changes)


async def gather_twice(
    client: Client, settings: Settings, policy: Policy, request: GatherSignIn
) -> SignInFacts:
    """Run the activity twice with one input, as a retried attempt would; the second answer."""
    impl = SignInActivitiesImpl(pinned(settings, policy))
    env = ActivityEnvironment(client=client)
    first = await env.run(impl.gather, request)
    again = await env.run(impl.gather, request)
    assert again.risk is not None and first.risk is not None
    assert again.risk.decision == first.risk.decision
    return again


def journey_rows(settings: Settings, request: GatherSignIn) -> dict[str, list[str]]:
    """What the activity wrote for this journey, by table."""
    journey_id = request.signals.journey_id
    return {
        "events": sorted(
            e.type for e in rows(settings, OutboxEvent) if e.event_id.startswith(journey_id)
        ),
        "successes": [e.journey_id for e in rows(settings, RiskLoginEvent, journey_id=journey_id)],
        "failures": [f.step for f in rows(settings, RiskFailure, journey_id=journey_id)],
        "assessed": [a.kind for a in rows(settings, AuditEvent, journey_id=journey_id)],
    }


async def test_allowed_records_the_success_and_its_event_once_and_asks_profiling(
    client: Client, settings: Settings, worker: Worker
) -> None:
    customer_id = register_customer(settings, unique_email(), PASSWORD)
    request = attempt(customer_id)

    facts = await gather_twice(client, settings, "allow", request)

    assert facts.scheduled_for is None and facts.risk is not None
    assert facts.risk.decision == "allow"
    assert facts.consents.required == []  # registered with today's terms
    assert facts.interstitial is not None  # counted in the profile: nothing due at a 1st sign-in
    assert facts.interstitial.rule == ""
    assert journey_rows(settings, request) == {
        "events": ["login.succeeded"],
        "successes": [request.signals.journey_id],
        "failures": [],
        "assessed": ["risk.assessed"],
    }


async def test_step_up_writes_the_challenge_and_leaves_the_outcome_to_the_journey(
    client: Client, settings: Settings, worker: Worker
) -> None:
    customer_id = register_customer(settings, unique_email(), PASSWORD)
    request = attempt(customer_id)

    facts = await gather_twice(client, settings, "step_up", request)

    assert facts.risk is not None and facts.risk.decision == "step_up"
    assert facts.interstitial is None
    assert journey_rows(settings, request) == {
        "events": ["login.challenged"],
        "successes": [],
        "failures": [],
        "assessed": ["risk.assessed"],
    }


async def test_a_relying_partys_aal2_steps_up_whatever_the_risk_unless_the_proof_was_mfa(
    client: Client, settings: Settings, worker: Worker
) -> None:
    customer_id = register_customer(settings, unique_email(), PASSWORD)
    asked = attempt(customer_id, aal2=True)
    passkey = attempt(customer_id, aal2=True, amr=["swk", "user", "mfa"])

    await gather_twice(client, settings, "allow", asked)
    await gather_twice(client, settings, "allow", passkey)

    assert journey_rows(settings, asked)["events"] == ["login.challenged"]
    assert journey_rows(settings, passkey)["events"] == ["login.succeeded"]


async def test_deny_records_the_refusal_once_and_emits_nothing(
    client: Client, settings: Settings, worker: Worker
) -> None:
    customer_id = register_customer(settings, unique_email(), PASSWORD)
    request = attempt(customer_id)

    facts = await gather_twice(client, settings, "deny", request)

    assert facts.risk is not None and facts.risk.decision == "deny"
    assert journey_rows(settings, request) == {
        "events": [],
        "successes": [],
        "failures": ["refused"],
        "assessed": ["risk.assessed"],
    }


async def test_a_scheduled_deletion_is_asked_first_then_gathered_past(
    client: Client, settings: Settings, worker: Worker
) -> None:
    customer_id = register_customer(settings, unique_email(), PASSWORD)
    when = datetime.now(UTC) + timedelta(days=20)
    with session_for(settings.database_url) as session:
        session.add(
            DeletionRequest(
                customer_id=customer_id,
                journey_id="deprovisioning-test",
                previous_status="active",
                scheduled_for=when,
            )
        )
    impl = SignInActivitiesImpl(pinned(settings, "allow"))
    env = ActivityEnvironment(client=client)
    request = attempt(customer_id)

    gate = await env.run(impl.gather, request)
    assert gate.scheduled_for is not None and gate.risk is None
    assert journey_rows(settings, request)["assessed"] == []

    kept = await env.run(impl.gather, request.model_copy(update={"deletion_checked": True}))
    assert kept.risk is not None and kept.risk.decision == "allow"


async def test_reauthentication_reads_no_consents_and_asks_no_profiling(
    client: Client, settings: Settings, worker: Worker
) -> None:
    customer_id = register_customer(settings, unique_email(), PASSWORD)

    facts = await gather_twice(
        client, settings, "allow", attempt(customer_id, reauthenticating=True)
    )

    assert facts.consents.optional == [] and facts.interstitial is None

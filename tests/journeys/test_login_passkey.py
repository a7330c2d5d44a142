"""Passkeys in the login journey: discoverable sign-in, step-up factor, re-authentication.

Real dev server, real risk activity with its policy pinned (see :mod:`tests.support.login`), and a
software authenticator answering the options the screens carry.
"""

from __future__ import annotations

import json
import uuid

import pytest
from temporalio.client import Client

from contracts.passkeys import BeginPasskeyRegistration, FinishPasskeyCeremony
from core.settings import Settings
from journeys.kit.passkey_steps import NO_ANSWER
from tests.conftest import MakeSettings
from tests.support.journeys import JourneyRun
from tests.support.login import login_worker, pinned, start_login
from tests.support.passkeys import SoftPasskey
from tests.support.store import new_journey_id, register_customer, unique_email
from workers.activities.passkeys import PasskeyActivitiesImpl

PASSWORD = "violet-tractor-harbour"


@pytest.fixture
def base(make_settings: MakeSettings, sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


def with_passkey(settings: Settings) -> tuple[str, str, SoftPasskey]:
    """A customer with a password and one passkey: ``(customer_id, email, authenticator)``."""
    email = unique_email("passkey-login")
    customer_id = register_customer(settings, email, PASSWORD)
    passkeys, authenticator = PasskeyActivitiesImpl(settings), SoftPasskey(settings.base_url)
    journey_id, ceremony_id = new_journey_id("add-passkey"), str(uuid.uuid4())
    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(
            journey_id=journey_id,
            ceremony_id=ceremony_id,
            user_name=email,
            customer_id=customer_id,
        )
    )
    passkeys.finish_registration(
        FinishPasskeyCeremony(
            journey_id=journey_id,
            ceremony_id=ceremony_id,
            response=authenticator.create(begun.options),
        )
    )
    return customer_id, email, authenticator


def options_of(run: JourneyRun) -> str:
    return next(f.options for f in run.view.fields if f.kind == "passkey")


async def test_sign_in_with_a_discoverable_passkey(client: Client, base: Settings) -> None:
    customer_id, _, authenticator = with_passkey(base)
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings)
        email_field = run.view.fields[0]
        assert email_field.autocomplete == "username webauthn"  # conditional UI / autofill
        assert json.loads(options_of(run))["allowCredentials"] == []

        await run.submit("passkey", passkey=authenticator.get(options_of(run)))
        outcome = await run.result()

    assert outcome.kind == "signed_in" and outcome.customer_id == customer_id
    assert outcome.amr == ["swk", "user"] and outcome.acr == "aal1"


async def test_a_refused_passkey_keeps_the_sign_in_page(client: Client, base: Settings) -> None:
    with_passkey(base)
    stranger = SoftPasskey(base.base_url)
    stranger.device.cred_init("threshold.test", b"nobody")
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings)
        first = options_of(run)

        refused = await run.submit("passkey", passkey=stranger.get(first))
        assert refused.screen == "sign-in"
        assert refused.errors == [
            "This passkey is not registered with us. Try another one, or sign in another way."
        ]
        assert options_of(run) != first  # a fresh challenge for the next try
        empty = await run.submit("passkey")
        assert empty.errors == [NO_ANSWER]


async def test_passkey_as_the_step_up_factor(client: Client, base: Settings) -> None:
    customer_id, email, authenticator = with_passkey(base)
    async with login_worker(client, pinned(base, "step_up")) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        if view.screen == "choose-factor":  # passkey and the email fallback are offered
            view = await run.submit(factor="passkey")
        assert view.screen == "use-passkey", view
        allowed = json.loads(options_of(run))["allowCredentials"]
        assert len(allowed) == 1  # only this customer's passkey

        await run.submit(passkey=authenticator.get(options_of(run)))
        outcome = await run.result()

    assert outcome.kind == "signed_in" and outcome.customer_id == customer_id
    assert outcome.amr == ["pwd", "swk"] and outcome.acr == "aal2"


async def test_reauthentication_with_a_passkey(client: Client, base: Settings) -> None:
    customer_id, _, authenticator = with_passkey(base)
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings, reauth_customer_id=customer_id)
        assert run.view.screen == "confirm-password"
        assert len(json.loads(options_of(run))["allowCredentials"]) == 1

        await run.submit("passkey", passkey=authenticator.get(options_of(run)))
        outcome = await run.result()

    assert outcome.kind == "signed_in" and outcome.customer_id == customer_id

"""Registration with a passkey instead of a password, on a real dev server, through the client.

The software authenticator (soft-webauthn) answers the options the ``create-passkey`` screen
carries, exactly as ``web/static/passkeys.js`` would post them.
"""

from __future__ import annotations

import json

import pytest
from temporalio.client import Client

from core.settings import Settings
from journeys.kit.passkey_steps import MAX_PASSKEY_TRIES
from store.models import Credential, Customer
from store.passkey_models import Passkey, PasskeyChallenge
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import MailCatcher, code_in
from tests.support.passkeys import SoftPasskey
from tests.support.store import one, register_customer, rows, unique_email

pytestmark = pytest.mark.usefixtures("worker")


def options_of(run: JourneyRun) -> str:
    [passkey] = [f for f in run.view.fields if f.kind == "passkey"]
    assert passkey.value == ""  # the browser's answer goes here; the options ride separately
    return passkey.options


async def verified(
    client: Client, settings: Settings, smtp_server: MailCatcher, email: str
) -> JourneyRun:
    """A passkey sign-up whose email is proven, now at the create-passkey screen."""
    run = await start_journey(client, settings)
    chosen = await run.submit("passkey", email=email)
    assert chosen.screen == "passkey-sign-up"
    assert [f.value for f in chosen.fields] == [email]  # the typed email is kept
    waiting = await run.submit(email=email)
    assert waiting.screen == "check-your-email"
    created = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    assert created.screen == "create-passkey", created
    return run


async def test_a_passkey_instead_of_a_password(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("passkey-signup")
    run = await verified(client, settings, smtp_server, email)
    options = json.loads(options_of(run))
    assert options["user"]["name"] == email
    assert options["authenticatorSelection"]["residentKey"] == "required"

    terms = await run.submit(passkey=SoftPasskey(settings.base_url).create(json.dumps(options)))
    assert terms.screen == "accept-terms", terms
    await run.submit(terms="on")
    outcome = await run.result()

    assert outcome.kind == "signed_in" and outcome.amr == ["swk", "email"]
    customer = one(settings, Customer, email=email)
    assert outcome.customer_id == customer.id
    assert rows(settings, Credential, customer_id=customer.id) == []  # no password at all
    passkey = one(settings, Passkey, customer_id=customer.id)
    assert passkey.created_by_journey == run.id


async def test_a_refused_passkey_says_why_and_asks_again_with_a_new_challenge(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    run = await verified(client, settings, smtp_server, unique_email("passkey-retry"))
    first = options_of(run)
    authenticator = SoftPasskey(settings.base_url)

    again = await run.submit(passkey=authenticator.create(first, origin="https://evil.example"))
    assert again.screen == "create-passkey"
    [field] = again.fields
    assert field.error and "origin" in field.error
    assert options_of(run) != first  # a fresh challenge
    assert len(rows(settings, PasskeyChallenge, journey_id=run.id)) == 2

    stale = await run.submit(passkey=authenticator.create(first))  # answers the spent challenge
    assert "challenge" in (stale.fields[0].error or "")
    terms = await run.submit(passkey=authenticator.create(options_of(run)))
    assert terms.screen == "accept-terms"


async def test_too_many_refused_passkeys_end_the_journey(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("passkey-fail")
    run = await verified(client, settings, smtp_server, email)
    for _ in range(MAX_PASSKEY_TRIES):
        await run.submit(passkey='{"not": "a passkey"}')

    outcome = await run.result()
    assert outcome.kind == "failed" and "passkey" in outcome.reason
    assert rows(settings, Customer, email=email) == []


async def test_an_existing_email_walks_the_same_screens_and_creates_nothing(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("passkey-existing")
    register_customer(settings, email)
    run = await start_journey(client, settings)
    await run.submit("passkey", email=email)

    waiting = await run.submit(email=email)

    assert waiting.screen == "check-your-email"
    message = await smtp_server.wait_for(to=email)
    assert "already" in message.get_body(preferencelist=("plain",)).get_content().lower()
    assert rows(settings, Passkey) == []


async def test_changing_ones_mind_back_to_a_password(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("passkey-back")
    run = await start_journey(client, settings)
    await run.submit("passkey", email=email)

    back = await run.submit("password", email=email)

    assert back.screen == "sign-up" and back.fields[0].value == email
    waiting = await run.submit(email=email, password="violet-tractor-harbour")
    assert waiting.screen == "check-your-email"

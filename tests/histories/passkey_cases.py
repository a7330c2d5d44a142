"""Recorded passkey journeys for the replay test: adding a passkey, and signing in with one.

Record with ``python -m tests.histories.record add-passkey-added login-passkey
login-passkey-step-up`` (files ``tests/histories/<case>.json``). The software
authenticator answers for ``rec.settings.base_url``; nothing in these histories is secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from contracts.passkeys import BeginPasskeyRegistration, FinishPasskeyCeremony
from core.settings import Settings
from journeys.add_passkey import AddPasskeyStart
from journeys.kit import ScreenView
from tests.histories.login_cases import BROWSER, PASSWORD, pinned_worker, start
from tests.support.journeys import JourneyRun, start_journey
from tests.support.passkeys import SoftPasskey
from tests.support.store import new_journey_id, register_customer
from workers.activities.passkeys import PasskeyActivitiesImpl

if TYPE_CHECKING:
    from tests.histories.record import Recording


def options(view: ScreenView) -> str:
    """The ceremony options a screen's passkey field carries."""
    return next(f.options for f in view.fields if f.kind == "passkey")


def customer_with_passkey(settings: Settings, email: str) -> tuple[str, SoftPasskey]:
    """A password customer who also holds one passkey."""
    customer_id = register_customer(settings, email, PASSWORD)
    authenticator, passkeys = SoftPasskey(settings.base_url), PasskeyActivitiesImpl(settings)
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
    return customer_id, authenticator


async def add_passkey_added(rec: Recording) -> JourneyRun:
    email = "recorded-add-passkey@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        "add-passkey",
        AddPasskeyStart(**BROWSER, customer_id=customer_id, email=email),
        journey_id="add-passkey-recorded-added",
    )
    view = await run.submit(name="Work laptop")
    authenticator = SoftPasskey(rec.settings.base_url)
    view = await run.submit(passkey=authenticator.create(options(view), origin="https://x.test"))
    assert view.fields[0].error, view
    await run.submit(passkey=authenticator.create(options(view)))
    assert (await run.result()).kind == "redirect"
    return run


async def login_passkey(rec: Recording) -> JourneyRun:
    _, authenticator = customer_with_passkey(rec.settings, "recorded-login-passkey@example.com")
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "passkey")
        await run.submit("passkey", passkey=authenticator.get(options(run.view)))
        assert (await run.result()).kind == "signed_in"
    return run


async def login_passkey_step_up(rec: Recording) -> JourneyRun:
    email = "recorded-login-passkey-step-up@example.com"
    _, authenticator = customer_with_passkey(rec.settings, email)
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "passkey-step-up")
        view = await run.submit(email=email, password=PASSWORD)
        if view.screen == "choose-factor":
            view = await run.submit(factor="passkey")
        assert view.screen == "use-passkey", view
        await run.submit(passkey=authenticator.get(options(view)))
        assert (await run.result()).amr == ["pwd", "swk"]
    return run


PASSKEY_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "add-passkey-added": add_passkey_added,
    "login-passkey": login_passkey,
    "login-passkey-step-up": login_passkey_step_up,
}

"""Recorded magic-link sign-ins for the replay test: the link, step-up after it, an unknown
address left to expire.

Recorded with the others: ``python -m tests.histories.record magic-link magic-link-step-up
magic-link-unknown-expired`` (files ``tests/histories/<case>.json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from core.settings import Settings
from journeys.kit import JourneyStart
from tests.histories.login_cases import BROWSER, pinned_worker
from tests.support.journeys import JourneyRun, start_journey
from tests.support.login import code_now, enrol_totp
from tests.support.mail import token_in
from tests.support.store import register_customer
from tests.support.temporal import fast_forward

if TYPE_CHECKING:
    from tests.histories.record import Recording


async def start(rec: Recording, settings: Settings, case: str) -> JourneyRun:
    return await start_journey(
        rec.env.client,
        settings,
        "magic-link",
        JourneyStart(**BROWSER),
        journey_id=f"magic-link-recorded-{case}",
    )


async def by_link(rec: Recording) -> JourneyRun:
    """The link opened (on another device), the sign-in allowed."""
    email = "recorded-magic-link@example.com"
    register_customer(rec.settings, email)
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "link")
        assert (await run.submit(email=email)).screen == "check-your-inbox"
        await run.click_link(token_in(await rec.smtp.wait_for(to=email)))
        assert (await run.result()).amr == ["email"]
    return run


async def step_up(rec: Recording) -> JourneyRun:
    """The link, then a risky sign-in asks for the authenticator code."""
    email = "recorded-magic-link-step-up@example.com"
    app = enrol_totp(rec.settings, register_customer(rec.settings, email))
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "step-up")
        await run.submit(email=email)
        view = await run.click_link(token_in(await rec.smtp.wait_for(to=email)))
        assert view.screen == "enter-totp", view
        await run.submit(code=code_now(app))
        assert (await run.result()).amr == ["email", "otp"]
    return run


async def unknown_expired(rec: Recording) -> JourneyRun:
    """No account: a message with nothing to use, a wrong code, then 15 minutes run out."""
    email = "recorded-magic-link-nobody@example.com"
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "unknown-expired")
        await run.submit(email=email)
        await rec.smtp.wait_for(to=email)
        assert (await run.submit(code="123456")).fields[0].error
        await fast_forward(rec.env, run.handle, timedelta(minutes=16))
        assert (await run.result()).kind == "expired"
    return run


MAGIC_LINK_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "magic-link": by_link,
    "magic-link-step-up": step_up,
    "magic-link-unknown-expired": unknown_expired,
}

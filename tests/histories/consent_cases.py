"""Recorded consent histories: registration's consent choices, re-consent at sign-in after a terms
version bump, and the account page's ``consent-change`` workflow.

Recorded with the others: ``python -m tests.histories.record registration-consents login-reconsent
consent-change`` (files ``tests/histories/<case>.json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from contracts.consent import PurposeGrant, RecordConsents
from contracts.consents import CATALOGUE
from journeys.consent_change import ConsentChange
from journeys.kit import ScreenView
from tests.histories.login_cases import PASSWORD, pinned_worker, start
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import code_in
from tests.support.store import register_customer

if TYPE_CHECKING:
    from tests.histories.record import Recording


@contextmanager
def terms_version(version: str) -> Iterator[None]:
    """The catalogue with ``terms`` at ``version`` for the block (a deploy, in this process)."""
    current = CATALOGUE["terms"]
    CATALOGUE["terms"] = current.model_copy(update={"version": version})
    try:
        yield
    finally:
        CATALOGUE["terms"] = current


async def registration_consents(rec: Recording) -> JourneyRun:
    email = "recorded-consents@example.com"
    run = await start_journey(
        rec.env.client, rec.settings, journey_id="registration-recorded-consents"
    )
    await run.submit(email=email, password=PASSWORD)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on", marketing_email="on", partner_sharing="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def login_reconsent(rec: Recording) -> JourneyRun:
    email = "recorded-login-reconsent@example.com"
    register_customer(rec.settings, email, PASSWORD)
    with terms_version("2026-07"):
        async with pinned_worker(rec, "allow") as settings:
            run = await start(rec, settings, "reconsent")
            view = await run.submit(email=email, password=PASSWORD)
            assert view.screen == "re-consent", view
            await run.submit(terms="on", analytics="on")
            assert (await run.result()).kind == "signed_in"
    return run


async def consent_change(rec: Recording) -> JourneyRun:
    customer_id = register_customer(rec.settings, "recorded-consent-change@example.com")
    journey_id = "consent-change-recorded"
    grant = PurposeGrant(purpose="analytics", version="2026-01", granted=False)
    handle = await rec.env.client.start_workflow(
        ConsentChange.run,
        RecordConsents(
            customer_id=customer_id, journey_id=journey_id, channel="account", grants=[grant]
        ),
        id=journey_id,
        task_queue=rec.settings.task_queue,
    )
    assert await handle.result() == 1
    # Not a journey: no screens; the recorder only needs the handle.
    done = ScreenView(journey=ConsentChange.__name__, screen="done", seq=0, title="Recorded")
    return JourneyRun(rec.env.client, rec.settings, handle, done)


CONSENT_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "registration-consents": registration_consents,
    "login-reconsent": login_reconsent,
    "consent-change": consent_change,
}

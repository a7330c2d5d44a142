"""Recorded change-password journeys for the replay test.

Recorded with the others: ``python -m tests.histories.record change-password-events`` (files
``tests/histories/<case>.json``; ``change-password`` was recorded before the account-change
events and stays, as running journeys carry it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from journeys.kit import JourneyStart
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import text_of
from tests.support.recovery import NEW_PASSWORD, PASSWORD
from tests.support.store import register_customer

if TYPE_CHECKING:
    from tests.histories.record import Recording


async def changed(rec: Recording) -> JourneyRun:
    """The change as recorded before it emitted an event."""
    return await change(rec, "change-password")


async def changed_with_events(rec: Recording) -> JourneyRun:
    """The same change once it emits ``customer.password_changed`` (account-change-events)."""
    return await change(rec, "change-password-events")


async def change(rec: Recording, case: str) -> JourneyRun:
    """A wrong password, the right one, a weak new password refused, then a good one."""
    email = f"recorded-{case}@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        "change-password",
        JourneyStart(customer_id=customer_id, client_ip="81.2.69.160"),
        journey_id=f"{case}-recorded",
    )
    assert run.view.screen == "confirm-its-you", run.view
    assert (await run.submit(password="not-the-password")).errors
    assert (await run.submit(password=PASSWORD)).screen == "choose-new-password"
    assert (await run.submit(password="iloveyou")).fields[0].error
    await run.submit(password=NEW_PASSWORD)
    assert (await run.result()).kind == "signed_in"
    assert "password" in text_of(await rec.smtp.wait_for(to=email))
    return run


CHANGE_PASSWORD_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "change-password": changed,
    "change-password-events": changed_with_events,
}

"""Recorded change-password journeys for the replay test.

Recorded with the others: ``python -m tests.histories.record change-password``
(file ``tests/histories/change-password.json``).
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
    """A wrong password, the right one, a weak new password refused, then a good one."""
    email = "recorded-change-password@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        "change-password",
        JourneyStart(customer_id=customer_id, client_ip="81.2.69.160"),
        journey_id="change-password-recorded",
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
}

"""Recorded invitations (the journey SCIM starts for a provisioned customer), for the replay test.

Recorded like the others: ``python -m tests.histories.record invitation-accepted
invitation-expired``; the files are named after the journey (``invitation-….json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from journeys.invitation import InvitationStart
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import text_of
from tests.support.store import register_customer
from tests.support.temporal import fast_forward

if TYPE_CHECKING:
    from tests.histories.record import Recording

#: The password chosen in the recorded invitation; the replay test checks it is not in the clear.
INVITED_PASSWORD = "copper-kettle-meadow"


async def _invited(rec: Recording, case: str, email: str) -> JourneyRun:
    customer_id = register_customer(rec.settings, email)
    return await start_journey(
        rec.env.client,
        rec.settings,
        "invitation",
        InvitationStart(customer_id=customer_id),
        journey_id=f"invitation-recorded-{case}",
    )


async def invitation_accepted(rec: Recording) -> JourneyRun:
    email = "recorded-invitation@example.com"
    run = await _invited(rec, "accepted", email)
    message = await rec.smtp.wait_for(to=email)
    link = next(word for word in text_of(message).split() if "/invite/" in word)
    token = parse_qs(urlsplit(link).query)["token"][0]
    view = await run.click_link(token)
    assert view.screen == "choose-your-password", view
    weak = await run.submit(password="iloveyou")
    assert weak.fields[0].error, weak
    view = await run.submit(password=INVITED_PASSWORD)
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def invitation_expired(rec: Recording) -> JourneyRun:
    email = "recorded-invitation-expired@example.com"
    run = await _invited(rec, "expired", email)
    await rec.smtp.wait_for(to=email)
    await fast_forward(rec.env, run.handle, timedelta(days=8))
    assert (await run.result()).kind == "expired"
    return run


INVITATION_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "invitation-accepted": invitation_accepted,
    "invitation-expired": invitation_expired,
}

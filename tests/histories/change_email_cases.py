"""Recorded change-email journeys and their undo windows for the replay test.

Recorded with the others: ``python -m tests.histories.record change-email change-email-events
undo-window-used undo-window-link-only undo-window-expired`` (files
``tests/histories/<case>.json``). ``change-email`` and ``undo-window-used`` were recorded before
the account-change events and the link-only undo email; they stay, as running journeys carry them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from journeys.kit import JourneyStart, Outcome, ScreenView
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import code_in, link_in
from tests.support.recovery import PASSWORD
from tests.support.store import register_customer
from tests.support.temporal import fast_forward

if TYPE_CHECKING:
    from tests.histories.record import Recording


async def change(rec: Recording, case: str) -> tuple[JourneyRun, str]:
    """One email change through to the switch; the run and the old address's undo link."""
    old = f"recorded-{case}@example.com"
    new = f"recorded-{case}-new@example.com"
    customer_id = register_customer(rec.settings, old, PASSWORD)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        "change-email",
        JourneyStart(customer_id=customer_id, client_ip="81.2.69.160"),
        journey_id=f"change-email-recorded-{case}",
    )
    assert (await run.submit(email=old)).fields[0].error  # already yours
    assert (await run.submit(email=new)).screen == "confirm-its-you"
    assert (await run.submit(password=PASSWORD)).screen == "check-your-new-email"
    code = code_in(await rec.smtp.wait_for(to=new))
    assert (await run.submit(code=f"{(int(code) + 1) % 10**6:06d}")).fields[0].error
    await run.submit(code=code)
    assert (await run.result()).kind == "redirect"
    return run, link_in(await rec.smtp.wait_for(to=old))


async def window(rec: Recording, link: str) -> JourneyRun:
    """The undo window the link belongs to, as a run a test can drive."""
    window_id = urlsplit(link).path.split("/")[3]
    handle = rec.env.client.get_workflow_handle(window_id, result_type=Outcome)
    for _ in range(100):  # the email goes out just before the window starts waiting
        view = await handle.query("view", result_type=ScreenView)
        if view is not None and view.screen == "undo-offered":
            return JourneyRun(
                client=rec.env.client, settings=rec.settings, handle=handle, view=view
            )
        await asyncio.sleep(0.1)
    raise AssertionError(f"the undo window {window_id} never waited for its link")


async def changed(rec: Recording) -> JourneyRun:
    """Already-own address refused, re-authentication, a wrong code, the right one."""
    run, _ = await change(rec, "change-email")
    return run


async def changed_with_events(rec: Recording) -> JourneyRun:
    """The same change once it emits ``customer.email_changed`` (patch account-change-events)."""
    run, _ = await change(rec, "change-email-events")
    return run


async def undo(rec: Recording, case: str) -> JourneyRun:
    """The old address opens the undo link: the compensating step runs."""
    _, link = await change(rec, case)
    window_run = await window(rec, link)
    await window_run.click_link(parse_qs(urlsplit(link).query)["token"][0])
    assert (await window_run.result()).kind == "redirect"
    return window_run


async def undone(rec: Recording) -> JourneyRun:
    """The undo window before it emitted an event and while its email was code_and_link."""
    return await undo(rec, "undo-used")


async def undone_link_only(rec: Recording) -> JourneyRun:
    """A link-only undo email; once undone, ``customer.email_changed`` with ``undone``."""
    return await undo(rec, "undo-link-only")


async def closed(rec: Recording) -> JourneyRun:
    """Nobody opens the undo link: the window closes after 7 days."""
    _, link = await change(rec, "undo-expired")
    undo = await window(rec, link)
    await fast_forward(rec.env, undo.handle, timedelta(days=7, hours=1))
    assert (await undo.result()).kind == "expired"
    return undo


CHANGE_EMAIL_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "change-email": changed,
    "change-email-events": changed_with_events,
    "undo-window-used": undone,
    "undo-window-link-only": undone_link_only,
    "undo-window-expired": closed,
}

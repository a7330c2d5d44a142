"""Recorded registrations in which support staff acted (``support`` update), for the replay test.

They pin the command sequence of the kit's support handling: the audit/notify activity, the moved
deadline timer, and cancellation. Recorded like the others: ``python -m tests.histories.record
support-resend support-extend support-cancel``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from contracts.support import SupportRequest
from journeys.kit.prove_email import RESEND_COOLDOWN
from tests.support.journeys import JourneyRun
from tests.support.mail import code_in
from tests.support.temporal import fast_forward
from web.gateway.support import act

if TYPE_CHECKING:
    from tests.histories.record import Recording

#: The staff member recorded in these histories (an id, never personal data).
RECORDED_STAFF = "staff-recorded-0001"


async def support_resend(rec: Recording) -> JourneyRun:
    email = "recorded-support-resend@example.com"
    run = await rec.signed_up("support-resend", email)
    await rec.smtp.wait_for(to=email)
    await fast_forward(rec.env, run.handle, RESEND_COOLDOWN + timedelta(seconds=1))
    request = SupportRequest(action="resend", staff_id=RECORDED_STAFF)
    assert (await act(rec.env.client, run.id, request)).done
    run.view = await run.current() or run.view
    await rec.smtp.wait_for(to=email, count=3)  # first code, support notice, second code
    codes = [m for m in rec.smtp.messages_to(email) if m["Subject"].startswith("Your")]
    view = await run.submit(code=code_in(codes[-1]))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def support_extend_then_expire(rec: Recording) -> JourneyRun:
    email = "recorded-support-extend@example.com"
    run = await rec.signed_up("support-extend", email)
    await rec.smtp.wait_for(to=email)
    request = SupportRequest(action="extend", staff_id=RECORDED_STAFF, extend_minutes=30)
    assert (await act(rec.env.client, run.id, request)).done
    await fast_forward(rec.env, run.handle, timedelta(hours=25))
    assert (await run.result()).kind == "expired"
    return run


async def support_cancel(rec: Recording) -> JourneyRun:
    email = "recorded-support-cancel@example.com"
    run = await rec.signed_up("support-cancel", email)
    await rec.smtp.wait_for(to=email)
    request = SupportRequest(action="cancel", staff_id=RECORDED_STAFF, reason="ticket 42")
    assert (await act(rec.env.client, run.id, request)).done
    assert (await run.result()).kind == "cancelled"
    return run


SUPPORT_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "support-resend": support_resend,
    "support-extend": support_extend_then_expire,
    "support-cancel": support_cancel,
}

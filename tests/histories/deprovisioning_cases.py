"""Recorded deprovisioning journeys (and a webhook delivery, an export), for the replay test.

Recorded like the others: ``python -m tests.histories.record deprovisioning-cancelled
deprovisioning-erased deprovisioning-support-expedite webhook-delivery-retried export-expired``;
the files are named after the case. The grace period, the acknowledgement deadline and the
export link's lifetime are skipped with ``fast_forward``; one connected system acknowledges
(signal), the other never does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio.testing import ActivityEnvironment

from contracts.deprovisioning import DeletionDecision
from contracts.events import EmitEvent
from contracts.support import SupportRequest
from contracts.webhooks import delivery_workflow_id
from journeys.deprovisioning import DeprovisioningStart
from journeys.export import ExportStart
from journeys.kit import ScreenView
from store import webhook_subscriptions as subscriptions
from tests.support.journeys import JourneyRun, start_journey
from tests.support.receiver import running_receiver
from tests.support.store import register_customer
from tests.support.temporal import fast_forward
from tests.support.waiting import eventually
from web.gateway.support import act
from workers.activities.events import EventActivitiesImpl

if TYPE_CHECKING:
    from tests.histories.record import Recording

DAY = timedelta(days=1)
STAFF = "staff-recorded-0001"


async def _started(rec: Recording, case: str, email: str, grace_days: int) -> JourneyRun:
    customer_id = register_customer(rec.settings, email)
    return await start_journey(
        rec.env.client,
        rec.settings,
        "deprovisioning",
        DeprovisioningStart(
            customer_id=customer_id,
            grace_seconds=grace_days * 86400,
            ack_deadline_seconds=7 * 86400,
        ),
        journey_id=f"deprovisioning-recorded-{case}",
    )


async def cancelled(rec: Recording) -> JourneyRun:
    email = "recorded-deprovisioning-cancelled@example.com"
    run = await _started(rec, "cancelled", email, 30)
    await rec.smtp.wait_for(to=email)
    await fast_forward(rec.env, run.handle, 10 * DAY)
    await run.deliver(DeletionDecision.event_name(), keep=True)
    assert (await run.result()).kind == "cancelled"
    return run


async def erased(rec: Recording) -> JourneyRun:
    email = "recorded-deprovisioning-erased@example.com"
    with running_receiver() as acking, running_receiver() as silent:
        first = subscriptions.add(rec.settings, acking.url, ["customer.erasure_requested"])
        acking.secret = first.secret
        second = subscriptions.add(rec.settings, silent.url, ["customer.erasure_requested"])
        silent.secret = second.secret
        run = await _started(rec, "erased", email, 30)
        await rec.smtp.wait_for(to=email)
        await fast_forward(rec.env, run.handle, 27 * DAY + timedelta(hours=1))
        await rec.smtp.wait_for(to=email, count=2)
        await fast_forward(rec.env, run.handle, 3 * DAY)
        await run.handle.signal("acknowledge_erasure", first.id)
        await fast_forward(rec.env, run.handle, 8 * DAY)
        outcome = await run.result()
    for sub in (first, second):
        subscriptions.remove(rec.settings, sub.id)
    assert second.id in outcome.reason
    return run


async def support_expedite(rec: Recording) -> JourneyRun:
    email = "recorded-deprovisioning-expedite@example.com"
    run = await _started(rec, "support-expedite", email, 30)
    await rec.smtp.wait_for(to=email)
    request = SupportRequest(action="expedite", staff_id=STAFF, reason="customer asked by phone")
    assert (await act(rec.env.client, run.id, request)).done
    assert (await run.result()).kind == "redirect"
    return run


async def immediate_acknowledged(rec: Recording) -> JourneyRun:
    """No grace period (the admin API, SCIM, a zero-day setting): straight to the erasure, whose
    wait for acknowledgements is the journey's step (``shown-step``)."""
    email = "recorded-deprovisioning-immediate@example.com"
    with running_receiver() as acking:
        sub = subscriptions.add(rec.settings, acking.url, ["customer.erasure_requested"])
        acking.secret = sub.secret
        run = await _started(rec, "immediate-acknowledged", email, 0)

        async def asked() -> None:
            assert len(acking.unique()) == 1

        await eventually(asked)
        await run.handle.signal("acknowledge_erasure", sub.id)
        outcome = await run.result()
    subscriptions.remove(rec.settings, sub.id)
    assert "NEVER" not in outcome.reason and sub.id in outcome.reason
    return run


async def webhook_delivery_retried(rec: Recording) -> JourneyRun:
    with running_receiver(fail_first=2) as receiver:
        sub = subscriptions.add(rec.settings, receiver.url, ["customer.created"])
        receiver.secret = sub.secret
        event = EmitEvent(
            event_id="recorded:customer.created", type="customer.created", customer_id="c"
        )
        emit = EventActivitiesImpl(rec.settings).emit
        await ActivityEnvironment(client=rec.env.client).run(emit, event)
        handle = rec.env.client.get_workflow_handle(delivery_workflow_id(sub.id, event.event_id))
        assert await handle.result() == 3
        subscriptions.remove(rec.settings, sub.id)
    done = ScreenView(journey="webhook-delivery", screen="done", seq=0, title="")
    return JourneyRun(client=rec.env.client, settings=rec.settings, handle=handle, view=done)


async def export_expired(rec: Recording) -> JourneyRun:
    email = "recorded-export@example.com"
    customer_id = register_customer(rec.settings, email)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        "export",
        ExportStart(customer_id=customer_id),
        journey_id="export-recorded-expired",
    )
    await rec.smtp.wait_for(to=email)
    await fast_forward(rec.env, run.handle, timedelta(hours=25))
    assert "expired" in (await run.result()).reason
    return run


DEPROVISIONING_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "deprovisioning-cancelled": cancelled,
    "deprovisioning-erased": erased,
    "deprovisioning-support-expedite": support_expedite,
    "deprovisioning-immediate-acknowledged": immediate_acknowledged,
    "webhook-delivery-retried": webhook_delivery_retried,
    "export-expired": export_expired,
}

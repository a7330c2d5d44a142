"""Emitting outbox events from a journey: one line at the point where something happened.

Each event id is ``<journey id>:<type>`` (plus a caller key when a journey emits one type more than
once), so a retried activity or a replayed journey never emits twice and receivers deduplicate.
Journeys recorded before the outbox existed replay unchanged: every emit sits behind the
:data:`~journeys.patches.EVENTS_OUTBOX` marker, so an old history (which has no such activity)
skips it.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.events import EmitEvent, EventActivities
    from journeys.kit import Journey
    from journeys.kit.activities import DEFAULT_ACTIVITY_TIMEOUT, DEFAULT_RETRY, run_activity
    from journeys.patches import EVENTS_OUTBOX


async def emit(
    journey: Journey,
    type: str,
    customer_id: str | None,
    data: dict[str, Any] | None = None,
    *,
    key: str = "",
) -> None:
    """Write ``type`` to the outbox once for this run (no secrets; keep PII in ``data`` minimal)."""
    if not workflow.patched(EVENTS_OUTBOX):
        return
    journey_id = workflow.info().workflow_id
    event_id = f"{journey_id}:{type}" + (f":{key}" if key else "")
    await run_activity(
        EventActivities.emit,
        EmitEvent(event_id=event_id, type=type, customer_id=customer_id, data=data or {}),
        timeout=DEFAULT_ACTIVITY_TIMEOUT,
        retry=DEFAULT_RETRY,
    )

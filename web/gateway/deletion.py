"""Starting (or steering) the one deprovisioning journey of a customer.

Every entry point (``/account/delete``, the admin API, SCIM ``DELETE``) comes through here, so a
customer has at most one deprovisioning at a time: a second request finds the running journey. An
immediate request (grace 0) for a customer already in a grace period erases now instead of waiting.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from contracts.deprovisioning import DeletionDecision, deprovisioning_id
from core.settings import Settings
from journeys.deprovisioning import DeprovisioningStart
from journeys.kit import EventEnvelope, Outcome, ScreenView
from journeys.kit.search import CUSTOMER_ID, JOURNEY_NAME, JOURNEY_STATUS

JOURNEY = "deprovisioning"


async def start_deprovisioning(
    client: Client,
    settings: Settings,
    customer_id: str,
    *,
    immediate: bool,
    requested_by: str,
) -> WorkflowHandle[Any, Outcome]:
    """Start the journey (grace, reminder and acknowledgement deadline from settings; no grace
    if ``immediate``), or steer the running one."""
    reminder = settings.deletion_reminder
    start = DeprovisioningStart(
        customer_id=customer_id,
        grace_seconds=0 if immediate else _seconds(settings.deletion_grace),
        ack_deadline_seconds=_seconds(settings.erasure_ack_deadline),
        requested_by=requested_by,
        reminder_seconds=0 if reminder is None else _seconds(reminder),
    )
    return await _start(client, settings.task_queue, start)


async def start_immediate_deprovisioning(
    client: Client,
    *,
    task_queue: str,
    customer_id: str,
    ack_deadline: timedelta,
    requested_by: str,
) -> WorkflowHandle[Any, Outcome]:
    """Start (or expedite) a deprovisioning with no grace period, for callers without Settings."""
    start = DeprovisioningStart(
        customer_id=customer_id,
        grace_seconds=0,
        ack_deadline_seconds=_seconds(ack_deadline),
        requested_by=requested_by,
        reminder_seconds=0,
    )
    return await _start(client, task_queue, start)


def _seconds(duration: timedelta) -> int:
    """Whole seconds, at least 1 for any positive duration (a 0.5 s setting is not "none")."""
    seconds = int(duration.total_seconds())
    return max(seconds, 1) if duration > timedelta(0) else 0


async def _start(
    client: Client, task_queue: str, start: DeprovisioningStart
) -> WorkflowHandle[Any, Outcome]:
    customer_id = start.customer_id
    requested_by = start.requested_by
    immediate = start.grace_seconds <= 0
    journey_id = deprovisioning_id(customer_id)
    try:
        return await client.start_workflow(
            JOURNEY,
            start,
            id=journey_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            result_type=Outcome,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(JOURNEY_NAME, JOURNEY),
                    SearchAttributePair(JOURNEY_STATUS, "active"),
                    SearchAttributePair(CUSTOMER_ID, customer_id),
                ]
            ),
            static_summary="deprovisioning journey",
            static_details=f"Account deletion requested by {requested_by}.",
        )
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle(journey_id, result_type=Outcome)
        if immediate:
            await decide(client, customer_id, keep=False)
        return handle


async def decide(client: Client, customer_id: str, *, keep: bool) -> bool:
    """Deliver a grace-period decision; False if the journey is not in its grace period."""
    handle = client.get_workflow_handle(deprovisioning_id(customer_id))
    envelope = EventEnvelope(
        name=DeletionDecision.event_name(), data=DeletionDecision(keep=keep).model_dump()
    )
    try:
        await handle.execute_update("deliver", envelope, result_type=ScreenView)
    except (WorkflowUpdateFailedError, RPCError):  # finished, erasing, or no such journey
        return False
    return True

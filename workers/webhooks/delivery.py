"""The ``webhook-delivery`` workflow: one event to one subscription, retried until it lands.

A workflow (not a bare activity started from ``events.emit``) so each delivery is visible in the
Temporal UI with its attempts and last error, and so Temporal's retry policy with exponential
backoff survives worker restarts. It gives up only after :data:`GIVE_UP_AFTER`, which leaves a
failed workflow in the UI: nothing is dropped silently.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

DELIVERY_WORKFLOW = "webhook-delivery"
DELIVER_ACTIVITY = "webhooks.deliver"
GIVE_UP_AFTER = timedelta(days=3)
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(hours=1),
    non_retryable_error_types=["SubscriptionGone"],
)


class Delivery(BaseModel):
    """Which event goes to which subscription."""

    event_id: str
    subscription_id: str


def delivery_workflow_id(subscription_id: str, event_id: str) -> str:
    """One workflow per (subscription, event): starting it twice is refused by id."""
    return f"webhook-{subscription_id}-{event_id}"


@workflow.defn(name=DELIVERY_WORKFLOW)
class WebhookDeliveryWorkflow:
    """Runs the signed POST with retries and backoff; returns the number of the final attempt."""

    @workflow.run
    async def run(self, delivery: Delivery) -> int:
        """Deliver once successfully (the receiver deduplicates repeated ids)."""
        attempts: int = await workflow.execute_activity(
            DELIVER_ACTIVITY,
            delivery,
            result_type=int,
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=GIVE_UP_AFTER,
            retry_policy=RETRY,
        )
        return attempts

"""The ``webhook-delivery`` workflow: one event to one subscription, retried until it lands.

A workflow (not a bare activity started from ``events.emit``) so each delivery is visible in the
Temporal UI with its attempts and last error, and so Temporal's retry policy with exponential
backoff survives worker restarts. It gives up only after :data:`GIVE_UP_AFTER`, which leaves a
failed workflow in the UI: nothing is dropped silently.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from contracts.webhooks import DELIVERY_WORKFLOW, Delivery, WebhookActivities
    from journeys.kit.activities import run_activity
    from journeys.kit.registry import background

GIVE_UP_AFTER = timedelta(days=3)
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(hours=1),
    non_retryable_error_types=["SubscriptionGone"],
)


@background(DELIVERY_WORKFLOW)
class WebhookDeliveryWorkflow:
    """Runs the signed POST with retries and backoff; returns the number of the final attempt."""

    @workflow.run
    async def run(self, delivery: Delivery) -> int:
        """Deliver once successfully (the receiver deduplicates repeated ids)."""
        return await run_activity(
            WebhookActivities.deliver,
            delivery,
            timeout=timedelta(seconds=30),
            schedule_to_close=GIVE_UP_AFTER,
            retry=RETRY,
        )

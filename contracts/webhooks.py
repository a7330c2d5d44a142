"""Webhook delivery's contract: the ``webhook-delivery`` workflow's input and its one activity.

``events.emit`` starts one delivery workflow per (subscription, event) by these names; the
workflow (``journeys/webhook_delivery.py``) runs ``webhooks.deliver``
(``workers/activities/webhooks.py``) until the receiver accepts.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef

DELIVERY_WORKFLOW = "webhook-delivery"


class Delivery(BaseModel):
    """Which event goes to which subscription."""

    event_id: str
    subscription_id: str


def delivery_workflow_id(subscription_id: str, event_id: str) -> str:
    """One workflow per (subscription, event): starting it twice is refused by id."""
    return f"webhook-{subscription_id}-{event_id}"


class WebhookActivities:
    """Typed reference to the signed POST of one event to one subscription."""

    deliver = ActivityRef("webhooks.deliver", Delivery, int)

"""Delivering one outbox event to one subscription, signed with Standard Webhooks.

The body and ``webhook-id`` are the same on every attempt (the event's stable id), so a receiver
that saw an earlier attempt succeed deduplicates; ``webhook-timestamp`` is the attempt's time, as
the specification requires for replay protection. Any non-2xx answer or network error raises, and
the workflow's retry policy tries again with backoff.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
from sqlmodel import select
from standardwebhooks.webhooks import Webhook
from temporalio import activity
from temporalio.exceptions import ApplicationError

from contracts.webhooks import Delivery, WebhookActivities
from core.settings import Settings
from store.events_models import OutboxEvent, WebhookDelivery, WebhookSubscription
from store.models import utcnow
from store.webhook_secrets import SecretBoxError, WebhookSecrets
from workers.activities.base import ActivityGroup, implements

TIMEOUT_SECONDS = 10.0
#: What support sees on the delivery row and in the failed workflow when the secret does not open.
UNREADABLE_SECRET = (
    "configuration error: the subscription's secret does not open with this deployment's "
    "THRESHOLD_SECRET_KEY (was it added under another key?); re-add the subscription"
)

log = logging.getLogger("threshold.webhooks")


def event_body(event: OutboxEvent) -> str:
    """The Standard Webhooks payload shape: type, timestamp, data; a customer's event carries
    ``data.customer_id`` and ``data.customer_seq`` (its place among that customer's events)."""
    data = json.loads(event.data)
    if event.customer_id is not None:
        data = {"customer_id": event.customer_id, "customer_seq": event.customer_seq, **data}
    return json.dumps(
        {"type": event.type, "timestamp": event.created_at.isoformat(), "data": data},
        sort_keys=True,
    )


class WebhookActivitiesImpl(ActivityGroup):
    """Signs and sends; records each attempt for support."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.secrets = WebhookSecrets.for_settings(settings)

    @implements(WebhookActivities.deliver)
    def deliver(self, delivery: Delivery) -> int:
        """POST the event; returns the attempt number that succeeded."""
        attempt = activity.info().attempt
        with self.db() as session:
            event = session.get(OutboxEvent, delivery.event_id)
            subscription = session.get(WebhookSubscription, delivery.subscription_id)
            if event is None or subscription is None or subscription.removed_at is not None:
                raise ApplicationError(
                    "the event or subscription no longer exists",
                    type="SubscriptionGone",
                    non_retryable=True,
                )
            body = event_body(event)
            secret_box, url = subscription.secret_box, subscription.url
        try:
            secret = self.secrets.open(secret_box, subscription_id=delivery.subscription_id)
        except SecretBoxError:
            # A configuration error, not a passing fault: retrying for days cannot fix it.
            self._record(delivery, attempt, UNREADABLE_SECRET)
            log.error(
                "webhook %s to subscription %s: %s",
                delivery.event_id,
                delivery.subscription_id,
                UNREADABLE_SECRET,
            )
            raise ApplicationError(
                UNREADABLE_SECRET, type="WebhookSecretUnreadable", non_retryable=True
            ) from None
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(delivery.event_id, now, body),
        }
        error = ""
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
            if not response.is_success:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        self._record(delivery, attempt, error)
        if error:
            raise ApplicationError(f"delivery to {url} failed: {error}", type="DeliveryFailed")
        return attempt

    def _record(self, delivery: Delivery, attempt: int, error: str) -> None:
        with self.db() as session:
            row = session.exec(
                select(WebhookDelivery).where(
                    WebhookDelivery.event_id == delivery.event_id,
                    WebhookDelivery.subscription_id == delivery.subscription_id,
                )
            ).first()
            if row is None:
                row = WebhookDelivery(
                    event_id=delivery.event_id, subscription_id=delivery.subscription_id
                )
            row.attempts = max(row.attempts, attempt)
            row.last_error = error
            if not error:
                row.delivered_at = utcnow()
            session.add(row)

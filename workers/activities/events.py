"""The events outbox: every journey event is written once, then fanned out to webhook subscribers.

``events.emit`` inserts the event under its caller-chosen stable id (a retried activity finds its
row and writes nothing), then starts one ``webhook-delivery`` workflow per subscription that wants
the event type. The delivery workflow id comes from the subscription and event ids and is started
with ``REJECT_DUPLICATE``, so a retried emit never starts a second delivery of the same event, while
Temporal's retry policy makes each delivery durable: every event reaches every subscriber at least
once, with the same ``webhook-id`` so receivers deduplicate.

Deliveries are independent, so they may arrive out of order (a retry after an outage lands after
later events). Each event of a customer gets the next ``customer_seq`` when it is written (unique
per customer: of two concurrent writers, the loser takes the next number), and every payload
carries it, so receivers order one customer's events by it.
"""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio import activity
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from contracts.events import EmitEvent, EventActivities
from contracts.webhooks import DELIVERY_WORKFLOW, Delivery, delivery_workflow_id
from store.events_models import OutboxEvent, WebhookSubscription
from workers.activities.base import ActivityGroup, implements_async


class EventActivitiesImpl(ActivityGroup):
    """Writes the outbox and starts the durable deliveries of each event."""

    @implements_async(EventActivities.emit)
    async def emit(self, event: EmitEvent) -> None:
        """Insert ``event`` once and start one delivery per interested subscription."""
        subscribers = await asyncio.to_thread(self._store, event)
        client = activity.client()
        for subscription_id in subscribers:
            try:
                await client.start_workflow(
                    DELIVERY_WORKFLOW,
                    Delivery(event_id=event.event_id, subscription_id=subscription_id),
                    id=delivery_workflow_id(subscription_id, event.event_id),
                    task_queue=self.settings.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )
            except WorkflowAlreadyStartedError:
                continue  # started by an earlier attempt of this activity

    #: Concurrent writers for one customer taking the same number retry this often, then fail (and
    #: the activity retries): far more than parallel events of one customer ever contend.
    MAX_SEQ_RACES = 20

    def _store(self, event: EmitEvent) -> list[str]:
        """Write the row if new; the subscribers are those of the stored event (first attempt)."""
        for _ in range(self.MAX_SEQ_RACES):
            try:
                with self.db() as session:
                    session.add(outbox_row(event, self._next_seq(session, event.customer_id)))
                break
            except IntegrityError:
                with self.db() as session:
                    if session.get(OutboxEvent, event.event_id) is not None:
                        break  # written by an earlier attempt; still (re)start its deliveries
                # Another event of this customer took the number first: take the next one.
        else:
            raise RuntimeError(f"no free customer_seq for {event.event_id} after retries")
        with self.db() as session:
            subscriptions = session.exec(
                select(WebhookSubscription).where(WebhookSubscription.removed_at.is_(None))  # type: ignore[union-attr]
            ).all()
            return [s.id for s in subscriptions if s.wants(event.type)]

    @staticmethod
    def _next_seq(session: Session, customer_id: str | None) -> int | None:
        """One more than the customer's last event's number (``None`` for no customer)."""
        if customer_id is None:
            return None
        last = session.exec(
            select(func.max(OutboxEvent.customer_seq)).where(OutboxEvent.customer_id == customer_id)
        ).one()
        return (last or 0) + 1


def outbox_row(event: EmitEvent, customer_seq: int | None) -> OutboxEvent:
    """The outbox row of ``event``, numbered ``customer_seq`` among its customer's events."""
    return OutboxEvent(
        event_id=event.event_id,
        type=event.type,
        customer_id=event.customer_id,
        customer_seq=customer_seq,
        data=json.dumps(event.data, sort_keys=True),
    )

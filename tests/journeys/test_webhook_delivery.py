"""The outbox and signed webhook delivery, on the real dev server and a loopback receiver.

A receiver that fails its first requests still gets every event (Temporal retries with backoff),
each under its stable ``webhook-id``, so after deduplication it holds each event exactly once; a
retried emit writes one outbox row and starts no second delivery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import select
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from contracts.events import EmitEvent
from contracts.webhooks import delivery_workflow_id
from core.settings import Settings
from store import webhook_subscriptions as subscriptions
from store.db import session_for
from store.events_models import OutboxEvent, WebhookDelivery, WebhookSubscription
from tests.support.receiver import Receiver, running_receiver
from tests.support.waiting import eventually
from workers.activities.events import EventActivitiesImpl

pytestmark = pytest.mark.asyncio


async def test_flaky_receiver_gets_every_event_once_after_dedup(
    client: Client, settings: Settings, worker: Worker
) -> None:
    with running_receiver(fail_first=3) as receiver, running_receiver() as other:
        sub = subscriptions.add(settings, receiver.url, ["customer.created", "login.succeeded"])
        receiver.secret = sub.secret
        only_deleted = subscriptions.add(settings, other.url, ["customer.deleted"])
        other.secret = only_deleted.secret
        env = ActivityEnvironment(client=client)
        emit = EventActivitiesImpl(settings).emit
        events = [
            EmitEvent(event_id="j1:customer.created", type="customer.created", customer_id="c1"),
            EmitEvent(event_id="j2:login.succeeded", type="login.succeeded", customer_id="c1"),
            EmitEvent(event_id="j3:profile.updated", type="profile.updated", customer_id="c1"),
        ]
        for event in events:
            await env.run(emit, event)
        await env.run(emit, events[0])  # a retried activity: no second row, no second delivery

        for event in events[:2]:
            handle = client.get_workflow_handle(delivery_workflow_id(sub.id, event.event_id))
            assert await handle.result() >= 1

        got = await eventually(_all_arrived(receiver, 2))
        assert set(got) == {"j1:customer.created", "j2:login.succeeded"}
        assert got["j1:customer.created"]["type"] == "customer.created"
        assert got["j1:customer.created"]["data"] == {"customer_id": "c1", "customer_seq": 1}
        assert receiver.requests >= 5  # three refusals, then both events
        assert receiver.rejected == 0  # every signature verified with the subscription's secret
        assert other.requests == 0  # not subscribed to any of these types

    with session_for(settings.database_url) as session:
        assert len(session.exec(select(OutboxEvent)).all()) == 3
        rows = session.exec(select(WebhookDelivery)).all()
        assert {r.event_id for r in rows} == {"j1:customer.created", "j2:login.succeeded"}
        assert all(r.delivered_at is not None for r in rows)
        stored = session.get(WebhookSubscription, sub.id)
        assert stored is not None and sub.secret not in stored.secret_box


def _all_arrived(
    receiver: Receiver, count: int
) -> Callable[[], Awaitable[dict[str, dict[str, Any]]]]:
    async def probe() -> dict[str, dict[str, Any]]:
        got = receiver.unique()
        assert len(got) == count, got
        return got

    return probe


async def test_a_secret_sealed_under_another_key_fails_at_once_and_visibly(
    client: Client, settings: Settings, worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    """A configuration error is not retried for days: one attempt, a delivery row, a log line."""
    other_key = settings.model_copy(update={"secret_key": "another-deployment-" + "k" * 40})
    with running_receiver() as receiver:
        sub = subscriptions.add(other_key, receiver.url, ["customer.created"])
        event = EmitEvent(event_id="jx:customer.created", type="customer.created", customer_id="c9")
        await ActivityEnvironment(client=client).run(EventActivitiesImpl(settings).emit, event)
        handle = client.get_workflow_handle(delivery_workflow_id(sub.id, event.event_id))
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        assert receiver.requests == 0
    cause = failure.value.cause.cause
    assert isinstance(cause, ApplicationError) and cause.type == "WebhookSecretUnreadable"
    history = await handle.fetch_history()
    started = [e for e in history.events if e.HasField("activity_task_started_event_attributes")]
    assert [e.activity_task_started_event_attributes.attempt for e in started] == [1]
    with session_for(settings.database_url) as session:
        row = session.exec(
            select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
        ).one()
    assert row.delivered_at is None and "THRESHOLD_SECRET_KEY" in row.last_error
    assert any("THRESHOLD_SECRET_KEY" in r.getMessage() for r in caplog.records)

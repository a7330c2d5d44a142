"""Per-customer sequence numbers on the outbox, on SQLite and PostgreSQL: each customer's events
are numbered 1, 2, 3… in the order they were written, concurrent writers never share a number, a
retried emit keeps its number, and every payload of a customer's event carries it, so a receiver
orders deliveries that arrived out of order (a retry after an outage lands after later events).
"""

from __future__ import annotations

import asyncio
import json
import uuid

from sqlmodel import select
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from contracts.events import EmitEvent
from store.db import session_for
from store.events_models import OutboxEvent
from tests.conftest import MakeSettings
from workers.activities.events import EventActivitiesImpl
from workers.activities.webhooks import event_body

PARALLEL = 8


def numbers(database_url: str, customer_id: str) -> dict[str, int | None]:
    with session_for(database_url) as db:
        return {
            e.event_id: e.customer_seq
            for e in db.exec(select(OutboxEvent).where(OutboxEvent.customer_id == customer_id))
        }


async def test_each_customer_numbers_its_events_in_write_order(
    client: Client, make_settings: MakeSettings, db_url: str
) -> None:
    settings = make_settings(db_url)
    events = EventActivitiesImpl(settings)
    env = ActivityEnvironment(client=client)
    ann, bob = str(uuid.uuid4()), str(uuid.uuid4())

    async def emit(event_id: str, customer_id: str | None, type: str = "profile.updated") -> None:
        await env.run(events.emit, EmitEvent(event_id=event_id, type=type, customer_id=customer_id))

    await emit("r:customer.created", ann, "customer.created")
    await emit("b:customer.created", bob, "customer.created")
    await emit("r:customer.verified", ann, "customer.verified")
    await emit("r:customer.created", ann, "customer.created")  # a retried emit
    await emit("system:tick", None)
    await asyncio.gather(*(emit(f"p{i}:profile.updated", ann) for i in range(PARALLEL)))

    ann_numbers = numbers(db_url, ann)
    assert ann_numbers["r:customer.created"] == 1 and ann_numbers["r:customer.verified"] == 2
    assert sorted(n for n in ann_numbers.values() if n is not None) == list(range(1, PARALLEL + 3))
    assert numbers(db_url, bob) == {"b:customer.created": 1}
    with session_for(db_url) as db:
        tick = db.get(OutboxEvent, "system:tick")
        verified = db.get(OutboxEvent, "r:customer.verified")
    assert tick is not None and tick.customer_seq is None
    assert verified is not None
    payload = json.loads(event_body(verified))
    assert payload["data"] == {"customer_id": ann, "customer_seq": 2}
    assert "customer_seq" not in json.loads(event_body(tick))["data"]

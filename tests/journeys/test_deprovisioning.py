"""The deprovisioning journey on the real dev server: grace, cancel, erasure, acknowledgements.

Time skipping (``fast_forward``) carries one journey over its 30-day grace period and its 7-day
acknowledgement deadline; activities, SMTP and the database keep real time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, text
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from contracts.support import SupportRequest
from core.security.hashing import keyed_hash
from core.settings import Settings
from journeys.kit import Outcome
from store import webhook_subscriptions as subscriptions
from store.db import session_for
from store.deprovisioning_models import DeletionRequest, ErasureTombstone
from store.models import ConsentRecord, Credential, Customer
from store.models import Session as BrowserSession
from tests.support.mail import MailCatcher, text_of
from tests.support.receiver import running_receiver
from tests.support.store import one, register_customer, rows, unique_email
from tests.support.temporal import fast_forward
from tests.support.waiting import eventually
from web.gateway.deletion import decide, start_deprovisioning
from web.gateway.support import act

pytestmark = pytest.mark.usefixtures("worker")

DAY = timedelta(days=1)


def snapshot(settings: Settings, customer_id: str) -> dict[str, Any]:
    """What must come back exactly after a cancelled deletion (sessions are revoked on purpose)."""
    customer = one(settings, Customer, id=customer_id)
    return {
        "customer": customer.model_dump(),
        "credentials": [
            c.model_dump() for c in rows(settings, Credential, customer_id=customer_id)
        ],
        "consents": [
            c.model_dump() for c in rows(settings, ConsentRecord, customer_id=customer_id)
        ],
    }


def traces(settings: Settings, *needles: str) -> list[str]:
    """Every ``table.column`` of the whole database holding one of ``needles``."""
    found = []
    with session_for(settings.database_url) as db:
        engine = db.get_bind()
        for table in inspect(engine).get_table_names():
            for row in db.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    if any(n.lower() in str(value).lower() for n in needles):
                        found.append(f"{table}.{column}")
    return found


async def test_cancel_mid_grace_restores_everything(
    client: Client, settings: Settings, smtp_server: MailCatcher, temporal_env: WorkflowEnvironment
) -> None:
    email = unique_email("keepme")
    customer_id = register_customer(settings, email)
    before = snapshot(settings, customer_id)
    handle = await start_deprovisioning(
        client, settings, customer_id, immediate=False, requested_by="customer"
    )
    scheduled = await smtp_server.wait_for(to=email)
    assert "will be deleted on" in str(scheduled["Subject"])
    assert "/account/delete/cancel?token=" in text_of(scheduled)

    async def pending() -> None:
        assert one(settings, Customer, id=customer_id).status == "pending_deletion"

    await eventually(pending)
    assert await fast_forward(temporal_env, handle, 10 * DAY)
    assert await decide(client, customer_id, keep=True)
    outcome = await handle.result()
    assert outcome.kind == "cancelled"
    assert snapshot(settings, customer_id) == before
    assert rows(settings, DeletionRequest, customer_id=customer_id) == []
    assert not await decide(client, customer_id, keep=True)  # nothing left to cancel


async def test_grace_reminder_erasure_and_acknowledgements(
    client: Client, settings: Settings, smtp_server: MailCatcher, temporal_env: WorkflowEnvironment
) -> None:
    email = unique_email("eraseme")
    customer_id = register_customer(settings, email)
    with running_receiver() as acking, running_receiver() as silent:
        ack_sub = subscriptions.add(settings, acking.url, ["customer.erasure_requested"])
        acking.secret = ack_sub.secret
        silent_sub = subscriptions.add(settings, silent.url, ["customer.erasure_requested"])
        silent.secret = silent_sub.secret
        handle = await start_deprovisioning(
            client, settings, customer_id, immediate=False, requested_by="customer"
        )
        await smtp_server.wait_for(to=email)
        assert await fast_forward(temporal_env, handle, 27 * DAY + timedelta(hours=1))
        reminder = await smtp_server.wait_for(to=email, count=2)
        assert "Reminder" in str(reminder["Subject"])
        assert "/account/delete/cancel?token=" in text_of(reminder)
        assert await fast_forward(temporal_env, handle, 3 * DAY)

        async def both_asked() -> None:
            assert len(acking.unique()) == 1 and len(silent.unique()) == 1

        await eventually(both_asked)
        ((event_id, payload),) = acking.unique().items()
        assert payload["type"] == "customer.erasure_requested"
        assert payload["data"]["customer_id"] == customer_id
        await handle.signal("acknowledge_erasure", ack_sub.id)
        # The silent system never answers: the deadline passes and erasure goes on without it.
        await fast_forward(temporal_env, handle, 8 * DAY)
        outcome = await handle.result()

    assert ack_sub.id in outcome.reason and silent_sub.id in outcome.reason
    assert "NEVER ACKNOWLEDGED" in outcome.reason.split(ack_sub.id)[-1]
    tombstone = one(settings, ErasureTombstone, customer_id=customer_id)
    assert tombstone.acknowledged == f'["{ack_sub.id}"]'
    assert tombstone.unacknowledged == f'["{silent_sub.id}"]'
    key = settings.derive_key("erasure-tombstone")
    assert tombstone.email_hash == keyed_hash(key, "email", email)
    assert traces(settings, email, email.split("@")[0]) == []
    assert rows(settings, Credential, customer_id=customer_id) == []
    assert rows(settings, BrowserSession, customer_id=customer_id) == []
    assert one(settings, Customer, id=customer_id).status == "erased"
    assert rows(settings, ConsentRecord, customer_id=customer_id)  # the legal minimum stays
    done = await smtp_server.wait_for(to=email, count=3)
    assert "has been deleted" in str(done["Subject"])
    assert "deleted" in text_of(done)
    assert event_id.endswith(":customer.erasure_requested")


async def test_support_cancel_restores_and_expedite_erases_now(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    kept, gone = unique_email("support-keep"), unique_email("support-expedite")
    kept_id, gone_id = register_customer(settings, kept), register_customer(settings, gone)
    for customer_id, email in ((kept_id, kept), (gone_id, gone)):
        await start_deprovisioning(
            client, settings, customer_id, immediate=False, requested_by="customer"
        )
        await smtp_server.wait_for(to=email)
    cancel = SupportRequest(action="cancel", staff_id="staff-1", reason="asked by phone")
    assert (await act(client, f"deprovisioning-{kept_id}", cancel)).done
    expedite = SupportRequest(action="expedite", staff_id="staff-1", reason="legal request")
    assert (await act(client, f"deprovisioning-{gone_id}", expedite)).done
    handles = [
        client.get_workflow_handle(f"deprovisioning-{c}", result_type=Outcome)
        for c in (kept_id, gone_id)
    ]
    assert (await handles[0].result()).kind == "cancelled"
    assert (await handles[1].result()).kind == "redirect"
    assert one(settings, Customer, id=kept_id).status == "active"
    assert one(settings, Customer, id=gone_id).status == "erased"
    assert traces(settings, gone) == []

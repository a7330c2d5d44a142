"""Registration and login write their events to the outbox, and subscribers receive them signed.

Event ids derive from the journey id, so the ids a receiver sees are predictable and stable.
"""

from __future__ import annotations

from temporalio.client import Client

from store import webhook_subscriptions as subscriptions
from store.events_models import OutboxEvent
from tests.conftest import MakeSettings
from tests.support.journeys import start_journey
from tests.support.login import login_worker, pinned, start_login
from tests.support.mail import MailCatcher, code_in
from tests.support.receiver import running_receiver
from tests.support.store import rows, unique_email
from tests.support.waiting import eventually

PASSWORD = "violet-tractor-harbour"


async def test_registration_and_login_emit_their_events(
    client: Client, make_settings: MakeSettings, sqlite_url: str, smtp_server: MailCatcher
) -> None:
    email = unique_email("events")
    base = make_settings(sqlite_url)
    with running_receiver() as receiver:
        types = ["customer.created", "customer.verified", "login.challenged", "login.succeeded"]
        sub = subscriptions.add(base, receiver.url, types)
        receiver.secret = sub.secret
        async with login_worker(client, pinned(base, "step_up")) as settings:
            run = await start_journey(client, settings)
            await run.submit(email=email, password=PASSWORD)
            await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
            await run.submit(terms="on")
            customer_id = (await run.result()).customer_id

            login = await start_login(client, settings)
            view = await login.submit(email=email, password=PASSWORD)
            assert view.screen == "enter-email-code"
            await login.submit(code=code_in(await smtp_server.wait_for(to=email)))
            assert (await login.result()).kind == "signed_in"

            expected = {
                f"{run.id}:customer.created": "customer.created",
                f"{run.id}:customer.verified": "customer.verified",
                f"{login.id}:login.challenged": "login.challenged",
                f"{login.id}:login.succeeded": "login.succeeded",
            }

            async def all_received() -> None:
                assert set(receiver.unique()) == set(expected)

            await eventually(all_received)

    got = receiver.unique()
    assert {i: p["type"] for i, p in got.items()} == expected
    assert all(p["data"]["customer_id"] == customer_id for p in got.values())
    assert got[f"{login.id}:login.succeeded"]["data"]["amr"] == ["pwd", "email"]
    # Receivers order one customer's events by data.customer_seq, however they arrived.
    in_order = sorted(got.values(), key=lambda p: p["data"]["customer_seq"])
    assert [p["type"] for p in in_order] == types
    assert receiver.rejected == 0
    stored = [e for e in rows(base, OutboxEvent, customer_id=customer_id) if e.type in types]
    assert {e.event_id for e in stored} == set(expected)
    assert all(email not in e.data for e in stored)  # no PII beyond the customer id

"""Signing in during a deletion grace period: the customer is offered to keep the account.

"Keep my account" cancels the deprovisioning journey (the account comes back exactly as it was) and
signs in; "No" ends the sign-in and leaves the deletion scheduled.
"""

from __future__ import annotations

from temporalio.client import Client

from core.settings import Settings
from journeys.kit import Outcome
from store.models import Customer
from tests.conftest import MakeSettings
from tests.support.login import login_worker, pinned, start_login
from tests.support.mail import MailCatcher
from tests.support.store import one, register_customer, unique_email
from tests.support.waiting import eventually
from web.gateway.deletion import start_deprovisioning

PASSWORD = "violet-tractor-harbour"


async def _scheduled(client: Client, settings: Settings, customer_id: str) -> None:
    await start_deprovisioning(
        client, settings, customer_id, immediate=False, requested_by="customer"
    )

    async def pending() -> None:
        assert one(settings, Customer, id=customer_id).status == "pending_deletion"

    await eventually(pending)


async def test_sign_in_keeps_the_account_or_leaves_it_scheduled(
    client: Client, make_settings: MakeSettings, sqlite_url: str, smtp_server: MailCatcher
) -> None:
    email = unique_email("gate")
    async with login_worker(client, pinned(make_settings(sqlite_url), "allow")) as settings:
        customer_id = register_customer(settings, email, PASSWORD)
        await _scheduled(client, settings, customer_id)

        leaving = await start_login(client, settings)
        view = await leaving.submit(email=email, password=PASSWORD)
        assert view.screen == "scheduled-for-deletion-at-sign-in", view
        assert "will be deleted on" in view.intro
        await leaving.submit("leave")
        outcome = await leaving.result()
        assert outcome.kind == "failed" and "still deleted" in outcome.reason
        assert one(settings, Customer, id=customer_id).status == "pending_deletion"

        keeping = await start_login(client, settings)
        await keeping.submit(email=email, password=PASSWORD)
        await keeping.submit("keep")
        outcome = await keeping.result()
        assert outcome.kind == "signed_in" and outcome.customer_id == customer_id
        assert one(settings, Customer, id=customer_id).status == "active"
        deprovisioning = client.get_workflow_handle(
            f"deprovisioning-{customer_id}", result_type=Outcome
        )
        assert (await deprovisioning.result()).kind == "cancelled"

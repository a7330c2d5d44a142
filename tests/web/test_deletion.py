"""Account deletion over HTTP: re-authenticated confirmation, the cancel link, signed
acknowledgements and the admin API, each bad input answered with a precise status."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest_asyncio
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook
from temporalio.client import Client

from core.settings import Settings
from journeys.kit import Outcome
from journeys.kit.search import JOURNEY_STEP
from store import webhook_subscriptions as subscriptions
from store.deprovisioning_models import DeletionRequest
from store.models import Customer, Session, utcnow
from store.staff import StaffDirectory
from tests.conftest import MakeSettings
from tests.support.browser import Browser
from tests.support.login import pinned
from tests.support.mail import MailCatcher, text_of
from tests.support.receiver import running_receiver
from tests.support.staff import add_staff
from tests.support.store import one, register_customer, rows, unique_email, update
from tests.support.temporal import running_worker, target_of
from tests.support.waiting import eventually
from web.app import create_app

PASSWORD = "violet-tractor-harbour"


@pytest_asyncio.fixture
async def stack(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[tuple[FastAPI, Settings]]:
    settings = pinned(make_settings(sqlite_url, temporal_address=target_of(client)), "allow")
    async with running_worker(client, settings):
        yield create_app(settings, client=client), settings


def browser_on(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://threshold.test", timeout=60
    )


async def signed_in(browser: Browser, email: str) -> None:
    page = await browser.get("/login")
    while page.status == 303:
        page = await browser.follow(page)
    posted = await browser.post(
        str(page.response.url.path), page.form(email=email, password=PASSWORD)
    )
    assert posted.status == 303, posted.html[:300]
    while posted.status == 303:
        posted = await browser.follow(posted)


async def test_delete_needs_recent_auth_and_confirmation_then_cancel_link_restores(
    stack: tuple[FastAPI, Settings], smtp_server: MailCatcher
) -> None:
    app, settings = stack
    email = unique_email("delete")
    customer_id = register_customer(settings, email, PASSWORD)
    async with browser_on(app) as http:
        browser = Browser(http)
        assert (
            (await browser.get("/account/delete"))
            .response.headers["location"]
            .startswith("/login?")
        )
        await signed_in(browser, email)
        for session in [one(settings, Session, customer_id=customer_id)]:
            update(settings, session, authenticated_at=utcnow().replace(year=2020))
        stale = await browser.get("/account/delete")
        assert stale.status == 303 and stale.response.headers["location"].startswith(
            "/account/reauth?"
        )
        await signed_in(browser, email)  # a fresh sign-in counts as re-authentication
        page = await browser.get("/account/delete")
        assert page.status == 200 and "30 days" in page.html
        refused = await browser.post("/account/delete", {"csrf_token": page.csrf})
        assert refused.status == 422 and "Tick the box" in refused.html
        done = await browser.post("/account/delete", {"csrf_token": page.csrf, "confirm": "on"})
        assert done.status == 200 and "scheduled for deletion" in done.html
        assert (await browser.get("/account")).status == 303  # signed out

    async def pending() -> None:
        assert one(settings, Customer, id=customer_id).status == "pending_deletion"

    await eventually(pending)
    link = next(
        line
        for line in text_of(await smtp_server.wait_for(to=email)).splitlines()
        if "token=" in line
    )
    path = link.replace(settings.base_url, "")
    async with browser_on(app) as http:
        browser = Browser(http)
        assert (await browser.get("/account/delete/cancel")).status == 400
        assert (await browser.get("/account/delete/cancel?token=" + "0" * 64)).status == 404
        confirm = await browser.get(path)
        assert confirm.status == 200 and "Keep my account" in confirm.html
        assert one(settings, Customer, id=customer_id).status == "pending_deletion"  # GET is safe
        token = path.split("token=")[1]
        [pending_row] = rows(settings, DeletionRequest, customer_id=customer_id)
        assert pending_row.cancel_token_hash and token != pending_row.cancel_token_hash
        kept = await browser.post(
            "/account/delete/cancel", {"csrf_token": confirm.csrf, "token": token}
        )
        assert kept.status == 200 and "Your account is kept" in kept.html

    async def restored() -> None:
        assert one(settings, Customer, id=customer_id).status == "active"

    await eventually(restored)


async def test_admin_deprovision_and_signed_acknowledgement(
    stack: tuple[FastAPI, Settings],
) -> None:
    app, settings = stack
    customer_id = register_customer(settings, unique_email("admin-del"), PASSWORD)
    sub = subscriptions.add(settings, "http://127.0.0.1:9/never", ["customer.erasure_requested"])
    support = add_staff(settings, unique_email("support"), "support")
    admin = add_staff(settings, unique_email("admin"), "admin")
    directory = StaffDirectory(settings)
    support_token = directory.issue_token(support.created.email, 1)
    admin_token = directory.issue_token(admin.created.email, 1)
    url = f"/api/customers/{customer_id}/deprovision"
    async with browser_on(app) as http:
        assert (await http.post(url + "?grace=0")).status_code == 401
        bearer = {"authorization": f"Bearer {support_token}"}
        assert (await http.post(url + "?grace=0", headers=bearer)).status_code == 403
        bearer = {"authorization": f"Bearer {admin_token}"}
        assert (await http.post(url + "?grace=5", headers=bearer)).status_code == 422
        assert (
            await http.post("/api/customers/nope/deprovision", headers=bearer)
        ).status_code == 404
        started = await http.post(url + "?grace=0", headers=bearer)
        assert started.status_code == 202, started.text

        async def suspended() -> None:
            assert one(settings, Customer, id=customer_id).status == "suspended"

        await eventually(suspended)

        event_id = f"deprovisioning-{customer_id}:customer.erasure_requested"
        ack = f"/api/erasure/{event_id}/ack"

        async def requested() -> None:
            assert (await http.post(ack, content=b"{}")).status_code != 404

        await eventually(requested)
        assert (await http.post(ack, content=b"{}")).status_code == 401
        assert (await http.post("/api/erasure/nope/ack", content=b"{}")).status_code == 404
        body = json.dumps({"erased": customer_id})
        now = datetime.now(UTC)
        forged = Webhook("whsec_" + "QUJD" * 8).sign(event_id, now, body)
        headers = {"webhook-id": event_id, "webhook-timestamp": str(int(now.timestamp()))}
        refused = await http.post(
            ack, content=body, headers={**headers, "webhook-signature": forged}
        )
        assert refused.status_code == 401
        signature = Webhook(sub.secret).sign(event_id, now, body)
        answer = await http.post(
            ack, content=body, headers={**headers, "webhook-signature": signature}
        )
        assert answer.status_code == 202 and answer.json()["subscription"] == sub.id

    async def erased() -> None:
        assert one(settings, Customer, id=customer_id).status == "erased"

    await eventually(erased)


async def deletion_page(app: FastAPI, settings: Settings, email: str) -> tuple[str, str]:
    """Sign in, read the deletion page and confirm: both pages' HTML."""
    register_customer(settings, email, PASSWORD)
    async with browser_on(app) as http:
        browser = Browser(http)
        await signed_in(browser, email)
        page = await browser.get("/account/delete")
        assert page.status == 200, page.html[:300]
        done = await browser.post("/account/delete", {"csrf_token": page.csrf, "confirm": "on"})
        assert done.status == 200, done.html[:300]
        return page.html, done.html


async def test_zero_grace_promises_no_reminder_or_cancel_link_and_still_awaits_acks(
    make_settings: MakeSettings, sqlite_url: str, client: Client, smtp_server: MailCatcher
) -> None:
    base = make_settings(sqlite_url, temporal_address=target_of(client), deletion_grace_days=0)
    settings = pinned(base, "allow")
    email = unique_email("zero-grace")
    with running_receiver() as system:
        sub = subscriptions.add(settings, system.url, ["customer.erasure_requested"])
        system.secret = sub.secret
        async with running_worker(client, settings):
            explained, confirmed = await deletion_page(
                create_app(settings, client=client), settings, email
            )
            handle = client.get_workflow_handle(
                f"deprovisioning-{email_customer(settings, email)}", result_type=Outcome
            )

            async def awaiting() -> None:
                assert len(system.unique()) == 1
                described = await handle.describe()
                step = described.typed_search_attributes.get(JOURNEY_STEP)
                assert step == "awaiting-acknowledgements"

            await eventually(awaiting)
            assert smtp_server.messages_to(email) == []  # no cancel link: nothing to cancel
            await handle.signal("acknowledge_erasure", sub.id)
            assert (await handle.result()).kind == "redirect"
    assert "erased right away" in explained and "remind" not in explained
    assert "days" not in explained and "delete my account now" in explained
    assert "being deleted" in confirmed and "link to cancel" not in confirmed
    [done] = [text_of(m) for m in smtp_server.messages_to(email)]
    assert "have been deleted" in done


async def test_a_grace_period_of_seconds_is_worded_reminded_and_kept(
    make_settings: MakeSettings, sqlite_url: str, client: Client, smtp_server: MailCatcher
) -> None:
    base = make_settings(
        sqlite_url,
        temporal_address=target_of(client),
        deletion_grace_period="PT6S",
        deletion_reminder_before="3",
        erasure_ack_period="PT1S",
    )
    settings = pinned(base, "allow")
    email = unique_email("short-grace")
    async with running_worker(client, settings):
        explained, confirmed = await deletion_page(
            create_app(settings, client=client), settings, email
        )
        handle = client.get_workflow_handle(
            f"deprovisioning-{email_customer(settings, email)}", result_type=Outcome
        )
        scheduled = await smtp_server.wait_for(to=email)
        reminder = await smtp_server.wait_for(to=email, count=2)
        assert (await handle.result()).kind == "redirect"
    assert "Nothing is erased for 6 seconds" in explained
    assert "We remind you 3 seconds before the end" in explained
    assert "delete my account in 6 seconds" in explained
    assert "scheduled for deletion" in confirmed and "UTC" in confirmed
    assert "As you asked" in text_of(scheduled) and "UTC" in str(scheduled["Subject"])
    assert "Reminder" in str(reminder["Subject"])
    assert "/account/delete/cancel?token=" in text_of(reminder)


def email_customer(settings: Settings, email: str) -> str:
    return one(settings, Customer, email=email).id

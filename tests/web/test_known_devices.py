"""The sessions page lists the customer's known devices and forgets one (CSRF, only their own)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest_asyncio
from temporalio.client import Client

from core.settings import Settings
from store.known_devices import KnownDevices
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page
from tests.support.login import pinned
from tests.support.store import register_customer, unique_email
from tests.support.temporal import running_worker, target_of
from web.app import create_app

PASSWORD = "violet-tractor-harbour"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36"


@pytest_asyncio.fixture
async def stack(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    settings = pinned(make_settings(sqlite_url, temporal_address=target_of(client)), "allow")
    async with running_worker(client, settings):
        app = create_app(settings, client=client)
        transport = httpx.ASGITransport(app=app, client=("81.2.69.160", 40000))
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://threshold.test",
            headers={"user-agent": CHROME},
            timeout=60,
        ) as http:
            yield settings, http


async def sign_in(browser: Browser, email: str) -> Page:
    page = await browser.get("/login")
    while page.status == 303:
        page = await browser.follow(page)
    return await browser.post(
        str(page.response.url.path), page.form(email=email, password=PASSWORD)
    )


async def test_known_devices_are_listed_and_forgotten(
    stack: tuple[Settings, httpx.AsyncClient],
) -> None:
    settings, http = stack
    devices = KnownDevices(settings.database_url, settings.derive_key("risk-features"))
    email = unique_email("devices")
    customer_id = register_customer(settings, email, PASSWORD)
    other_id = register_customer(settings, unique_email("other"), PASSWORD)
    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    laptop = devices.bind(customer_id, "device-hash-laptop", "Firefox 133 on Windows 10", at)
    foreign = devices.bind(other_id, "device-hash-x", "Safari 18 on iOS 18", at)
    browser = Browser(http)

    assert (await sign_in(browser, email)).status == 303
    page = await browser.get("/account/sessions")

    assert re.findall(r'data-device="([0-9a-f\-]+)"', page.html) == [laptop.id]
    assert "Firefox 133 on Windows 10" in page.html and "Safari 18" not in page.html
    no_csrf = await browser.post("/account/devices/forget", {"device": laptop.id})
    assert no_csrf.status == 403
    theirs = await browser.post(
        "/account/devices/forget", {"csrf_token": page.csrf, "device": foreign.id}
    )
    assert theirs.status == 404
    assert devices.status(other_id, "device-hash-x") == "bound"

    forgotten = await browser.post(
        "/account/devices/forget", {"csrf_token": page.csrf, "device": laptop.id}
    )
    assert forgotten.status == 303
    after = await browser.follow(forgotten)
    assert "That device was forgotten" in after.html
    assert 'data-testid="no-devices"' in after.html
    assert devices.status(customer_id, "device-hash-laptop") == "forgotten"
    again = await browser.post(
        "/account/devices/forget", {"csrf_token": page.csrf, "device": laptop.id}
    )
    assert again.status == 404

"""A passkey that cannot be created (Chromium refuses WebAuthn on an IP-address origin, as on a
``make run`` reached at 127.0.0.1) is reported as an error, saying why, never in a success box;
and the customer who chose "Create a passkey instead" can still finish with a password."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Browser, expect
from temporalio.worker import Worker

from core.settings import Settings
from store.models import Credential, Customer, Session
from tests.e2e.test_registration_browser import SCREEN_TIMEOUT_MS
from tests.support.mail import MailCatcher, code_in
from tests.support.store import one, rows


async def test_a_refused_passkey_is_an_error_and_a_password_finishes_the_sign_up(
    browser: Browser,
    web_server: str,
    worker: Worker,
    smtp_server: MailCatcher,
    settings: Settings,
) -> None:
    assert "127.0.0.1" in settings.base_url  # an IP-address origin: no WebAuthn there
    email = f"e2e-passkey-ip-{uuid.uuid4().hex[:10]}@example.com"
    context = await browser.new_context(base_url=settings.base_url)
    try:
        page = await context.new_page()
        await page.goto("/register")
        await page.get_by_label("Email").fill(email)
        await page.get_by_role("button", name="Create a passkey instead").click()
        await expect(page.locator("h1")).to_have_text(
            "Create your account with a passkey", timeout=SCREEN_TIMEOUT_MS
        )
        await page.get_by_role("button", name="Continue").click()
        await expect(page.locator("h1")).to_have_text("Check your email", timeout=SCREEN_TIMEOUT_MS)
        await page.get_by_label("6-digit code").fill(code_in(await smtp_server.wait_for(to=email)))
        await page.get_by_role("button", name="Verify").click()
        await expect(page.locator("h1")).to_have_text(
            "Create your passkey", timeout=SCREEN_TIMEOUT_MS
        )

        await page.get_by_role("button", name="Create passkey").click()

        status = page.locator("[data-passkey-status]")
        await expect(status).to_contain_text("not at an IP address", timeout=SCREEN_TIMEOUT_MS)
        await expect(status).to_have_class("error")
        await expect(status).to_have_attribute("role", "alert")

        await page.get_by_role("button", name="Use a password instead").click()
        await expect(page.locator("h1")).to_have_text(
            "Choose a password", timeout=SCREEN_TIMEOUT_MS
        )
        await page.get_by_label("Password").fill("violet-tractor-harbour")
        await page.get_by_role("button", name="Continue").click()
        await expect(page.locator("h1")).to_have_text("One last step", timeout=SCREEN_TIMEOUT_MS)
        await page.get_by_label("I accept the Terms of Service").check()
        await page.get_by_role("button", name="Accept and continue").click()
        await expect(page).to_have_url(re.compile(r"/account$"), timeout=SCREEN_TIMEOUT_MS)
    finally:
        await context.close()
    customer = one(settings, Customer, email=email)
    [credential] = rows(settings, Credential, customer_id=customer.id)
    assert credential.kind == "password"
    assert [s.amr for s in rows(settings, Session, customer_id=customer.id)] == ["pwd email"]

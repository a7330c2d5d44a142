"""Passkeys in headless Chromium with the DevTools virtual authenticator: sign up with a passkey
(no password), sign out, sign back in with the passkey — through ``web/static/passkeys.js``, htmx,
the real journeys and ``webauthn`` verification, with no console error or CSP violation.

WebAuthn needs a secure context and a domain as RP id (not an IP address), so this test serves the
app as ``http://localhost:<port>`` (loopback; ``localhost`` counts as secure) and sets
``THRESHOLD_BASE_URL`` to match: RP id ``localhost``.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, expect
from temporalio.client import Client
from temporalio.worker import Worker

from core.settings import Settings
from store.models import Customer, Session
from store.passkey_models import Passkey
from tests.conftest import MakeSettings
from tests.e2e.test_registration_browser import SCREEN_TIMEOUT_MS, Problems
from tests.support.mail import MailCatcher, code_in
from tests.support.store import one, rows
from tests.support.temporal import target_of

VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture
def settings(
    make_settings: MakeSettings, sqlite_url: str, client: Client, web_port: int
) -> Settings:
    """As the e2e ``settings``, but the public URL is ``localhost`` (a valid WebAuthn RP id)."""
    return make_settings(
        sqlite_url, temporal_address=target_of(client), base_url=f"http://localhost:{web_port}"
    )


async def test_sign_up_and_sign_in_with_a_passkey(
    browser: Browser,
    web_server: str,
    worker: Worker,
    smtp_server: MailCatcher,
    settings: Settings,
) -> None:
    email = f"e2e-passkey-{uuid.uuid4().hex[:10]}@example.com"
    problems = Problems()
    context = await browser.new_context(base_url=settings.base_url)
    try:
        await problems.watch(context)
        page = await context.new_page()
        devtools = await context.new_cdp_session(page)
        await devtools.send("WebAuthn.enable")
        added = await devtools.send(
            "WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR}
        )

        # Sign up: "Create a passkey instead", prove the email, let the device create the passkey.
        await page.goto("/register")
        await page.get_by_label("Email").fill(email)
        await page.get_by_role("button", name="Create a passkey instead").click()
        await expect(page.locator("h1")).to_have_text(
            "Create your account with a passkey", timeout=SCREEN_TIMEOUT_MS
        )
        await expect(page.get_by_label("Email")).to_have_value(email)
        await page.get_by_role("button", name="Continue").click()
        await expect(page.locator("h1")).to_have_text("Check your email", timeout=SCREEN_TIMEOUT_MS)
        await page.get_by_label("6-digit code").fill(code_in(await smtp_server.wait_for(to=email)))
        await page.get_by_role("button", name="Verify").click()
        await expect(page.locator("h1")).to_have_text(
            "Create your passkey", timeout=SCREEN_TIMEOUT_MS
        )
        await page.get_by_role("button", name="Create passkey").click()
        await expect(page.locator("h1")).to_have_text("One last step", timeout=SCREEN_TIMEOUT_MS)
        await page.get_by_label("I accept the Terms of Service").check()
        await page.get_by_role("button", name="Accept and continue").click()
        await expect(page).to_have_url(re.compile(r"/account$"), timeout=SCREEN_TIMEOUT_MS)

        held = await devtools.send(
            "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
        )
        [credential] = held["credentials"]
        assert credential["isResidentCredential"] and credential["rpId"] == "localhost"
        customer = one(settings, Customer, email=email)
        [passkey] = rows(settings, Passkey, customer_id=customer.id)
        assert passkey.last_used_at is None

        # Sign out, then sign in with the passkey alone: no email, no password typed.
        await page.get_by_role("button", name="Sign out").click()
        await page.goto("/login")
        await expect(page.locator("h1")).to_have_text("Sign in", timeout=SCREEN_TIMEOUT_MS)
        assert await page.get_by_label("Email").get_attribute("autocomplete") == (
            "username webauthn"
        )
        await page.get_by_role("button", name="Sign in with a passkey").click()
        await expect(page).to_have_url(re.compile(r"/account$"), timeout=SCREEN_TIMEOUT_MS)
        await expect(page.get_by_test_id("account-email")).to_have_text(email)

        await page.goto("/account/passkeys")
        await expect(page.get_by_test_id("passkey")).to_have_count(1)
        await expect(page.get_by_test_id("passkey")).to_contain_text("last used")
    finally:
        await context.close()

    sessions = sorted(s.amr for s in rows(settings, Session, customer_id=customer.id))
    assert sessions == ["swk email", "swk user mfa"]  # sign-up, then a user-verified passkey
    assert one(settings, Passkey, customer_id=customer.id).sign_count >= 1
    assert problems.seen == []

"""An OpenID sign-in in Chromium: authorize → login journey → consent → back to the client.

Chromium enforces the submitting page's CSP ``form-action`` on every redirect that follows a form
post, so the consent form's redirect to the client is only followed if the page allows it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Browser, Route
from temporalio.client import Client

from tests.conftest import MakeSettings
from tests.oidc.flow import authorize_url, pkce
from tests.oidc.support import PASSWORD, running_provider


async def test_authorize_login_and_consent_in_chromium(
    browser: Browser, make_settings: MakeSettings, sqlite_url: str, client: Client
) -> None:
    async with running_provider(make_settings, sqlite_url, client) as op:
        rp = op.add_client()
        _, challenge = pkce()
        context = await browser.new_context(base_url=op.issuer)
        page = await context.new_page()
        landed: list[str] = []

        async def client_callback(route: Route) -> None:
            landed.append(route.request.url)
            await route.fulfill(status=200, body="the client got its code")

        await page.route(f"{op.redirect_uri}*", client_callback)
        await page.goto(
            authorize_url(
                rp.client_id,
                op.redirect_uri,
                code_challenge=challenge,
                code_challenge_method="S256",
            )
        )
        await page.get_by_label("Email").fill(op.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await page.get_by_role("button", name="Allow", exact=True).click()
        await page.wait_for_url(f"{op.redirect_uri}*")
        query = parse_qs(urlsplit(landed[-1]).query)
        assert query["state"] == ["s-123"] and query["code"]
        await context.close()

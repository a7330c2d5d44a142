"""The OpenID provider under test on a real loopback server, a browser, and the Node relying party.

The relying party is panva's ``openid-client`` (tests/oidc/rp.mjs), run with ``node`` as an
asyncio subprocess so the server, which serves from a task on the same event loop, keeps running.
"""

from __future__ import annotations

import asyncio
import html as entities
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
from temporalio.client import Client

from core.settings import Settings
from store.oidc_clients import NewClient, OidcClients
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page, browser_for
from tests.support.login import Policy, code_now, pinned
from tests.support.net import free_port
from tests.support.store import register_customer, unique_email
from tests.support.temporal import running_worker, target_of
from tests.support.webserver import serving
from web.app import create_app

RP_SCRIPT = Path(__file__).with_name("rp.mjs")
NODE_MODULES = Path(__file__).parents[2] / "node_modules"
PASSWORD = "violet-tractor-harbour"
SCOPE = "openid email offline_access"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@dataclass
class Provider:
    """A running provider, one registered customer, and helpers to act as browser and RP."""

    settings: Settings
    issuer: str
    email: str
    customer_id: str

    def add_client(self, auth: str = "none", *, redirect_uri: str = "", **extra: Any) -> NewClient:
        return OidcClients(self.settings).add(
            "Example App",
            auth_method=auth,
            redirect_uris=[redirect_uri or self.redirect_uri],
            **extra,
        )

    @property
    def redirect_uri(self) -> str:
        """Where the RP would listen; never fetched, only read from ``Location``."""
        return "http://127.0.0.1:28999/callback"

    @asynccontextmanager
    async def browser(self) -> AsyncIterator[Browser]:
        async with browser_for(base_url=self.issuer) as browser:
            yield browser

    async def rp(self, command: str, client: NewClient, **values: Any) -> dict[str, Any]:
        """Run one command of the Node relying party; returns its JSON answer."""
        node = shutil.which("node")
        assert node, "node is needed for the openid-client peer"
        assert (NODE_MODULES / "openid-client").is_dir(), "run `make vendor` (npm ci) first"
        payload = {
            "command": command,
            "issuer": self.issuer,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "redirect_uri": self.redirect_uri,
            "scope": SCOPE,
            **values,
        }
        process = await asyncio.create_subprocess_exec(
            node,
            str(RP_SCRIPT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate(json.dumps(payload).encode())
        assert process.returncode == 0, err.decode()
        answer: dict[str, Any] = json.loads(out)
        return answer

    async def token(self, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.issuer) as http:
            return await http.post("/oauth2/token", data=data, **kwargs)


async def sign_in_and_authorize(
    browser: Browser, url: str, email: str, *, consent: bool = True, totp: pyotp.TOTP | None = None
) -> Page:
    """Walk an authorization URL as a person would: log in if asked (with the authenticator app
    ``totp`` when a second factor is asked), allow on the consent screen; returns the final
    redirect (to the client) without following it."""
    page = await browser.get(url)
    for _ in range(12):
        if page.status in (302, 303):
            location = page.response.headers["location"]
            if not location.startswith("/") and not location.startswith(str(browser.http.base_url)):
                return page
            page = await browser.follow(page)
        elif page.screen == "sign-in":
            page = await browser.post(
                str(page.response.url.path), page.form(email=email, password=PASSWORD)
            )
        elif page.screen == "enter-totp" and totp is not None:
            page = await browser.post(str(page.response.url.path), page.form(code=code_now(totp)))
        elif 'name="action" value="skip"' in page.html:
            # An interstitial of the login journey (e.g. progressive profiling): not our subject.
            page = await browser.post(str(page.response.url.path), page.form(action="skip"))
        elif page.screen == "oidc-consent" and consent:
            form = dict(re_fields(page.html))
            form["decision"] = "allow"
            page = await browser.post("/oauth2/authorize", form)
        else:
            return page
    raise AssertionError(f"authorization did not finish: {page.status} {page.html[:300]}")


def re_fields(html: str) -> list[tuple[str, str]]:
    """The hidden inputs of a page's form, in order."""
    return [(name, entities.unescape(value)) for name, value in HIDDEN.findall(html)]


def query_of(page: Page) -> dict[str, str]:
    """The query parameters of a redirect's ``Location``."""
    parts = urlsplit(page.response.headers["location"])
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


@asynccontextmanager
async def running_provider(
    make_settings: MakeSettings, database_url: str, client: Client, policy: Policy = "allow"
) -> AsyncIterator[Provider]:
    """The app and a worker (risk pinned to ``policy``) on a free loopback port."""
    port = free_port("127.0.0.1")
    issuer = f"http://127.0.0.1:{port}"
    settings = pinned(
        make_settings(database_url, temporal_address=target_of(client), base_url=issuer), policy
    )
    email = unique_email("oidc")
    customer_id = register_customer(settings, email, PASSWORD)
    async with (
        running_worker(client, settings),
        serving(create_app(settings, client=client), port=port),
    ):
        yield Provider(settings, issuer, email, customer_id)

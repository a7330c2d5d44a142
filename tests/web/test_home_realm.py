"""Home-realm discovery on ``/login``: an organization's email domain goes to its provider."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest_asyncio
from temporalio.client import Client

from store.idps import Idps
from store.login_models import LoginThrottle
from store.models import AuditEvent
from store.organizations import Organizations
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page
from tests.support.store import register_customer, rows, unique_email
from tests.web.test_login import PASSWORD, Stack, sign_in, stack_for


@pytest_asyncio.fixture
async def org(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[tuple[Stack, str]]:
    """A stack whose risk policy allows, with provider ``acme`` owning a fresh domain."""
    async with stack_for(make_settings, sqlite_url, client, "allow") as stack:
        domain = f"acme-{uuid.uuid4().hex[:8]}.example"
        Idps(stack.settings).add(
            "acme", issuer="https://idp.acme.example", client_id="c", client_secret="s"
        )
        Organizations(stack.settings).add("Acme", idp_name="acme", domains=[domain])
        yield stack, domain


async def _sign_in_screen(browser: Browser, start: str = "/login") -> Page:
    page = await browser.get(start)
    while page.status == 303:
        page = await browser.follow(page)
    assert page.screen == "sign-in", page.html[:300]
    return page


def _query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


async def test_an_org_email_alone_goes_to_its_provider_with_a_login_hint(
    org: tuple[Stack, str],
) -> None:
    stack, domain = org
    email = f"ann@{domain}"
    async with stack.browser() as browser:
        page = await _sign_in_screen(browser, "/login?return_to=/account/security")
        assert "enter your email alone" in page.html
        assert 'name="password"' in page.html and "required" not in _password_input(page)
        posted = await browser.post(str(page.response.url.path), page.form(email=email))
        assert posted.status == 303, posted.html[:500]
        location = posted.response.headers["location"]
        assert location.startswith("/login/idp/acme?")
        assert _query(location) == {"login_hint": [email], "return_to": ["/account/security"]}


async def test_routing_depends_on_the_domain_alone_and_ignores_a_typed_password(
    org: tuple[Stack, str],
) -> None:
    """Whether an account exists changes nothing (no enumeration); no password is checked."""
    stack, domain = org
    known, unknown = f"known@{domain}", f"nobody@{domain}"
    register_customer(stack.settings, known, PASSWORD)
    answers = []
    for email in (known, unknown):
        async with stack.browser() as browser:
            page = await _sign_in_screen(browser)
            headers = {"HX-Request": "true"}
            posted = await browser.post(
                str(page.response.url.path),
                page.form(email=email, password=PASSWORD),
                headers=headers,
            )
            assert posted.status == 200 and "thr_session" not in browser.http.cookies
            hint = _query(posted.response.headers["HX-Redirect"])["login_hint"]
            answers.append((posted.status, hint == [email], posted.html))
    assert answers[0] == answers[1] == (200, True, "")
    # Nothing was checked: no password verification audited, no throttle counted.
    assert not [e for e in rows(stack.settings, AuditEvent) if e.kind.startswith("login.password")]
    assert rows(stack.settings, LoginThrottle) == []


async def test_another_email_without_a_password_is_asked_for_it(org: tuple[Stack, str]) -> None:
    stack, _ = org
    email = unique_email("hrd-local")
    register_customer(stack.settings, email, PASSWORD)
    async with stack.browser() as browser:
        page = await _sign_in_screen(browser)
        url = str(page.response.url.path)
        posted = await browser.post(url, page.form(email=email), headers={"HX-Request": "true"})
        assert posted.status == 422 and posted.screen == "sign-in"
        assert "Enter your password." in posted.errors
        assert email in posted.html  # the email is kept
        assert rows(stack.settings, LoginThrottle) == []  # not a failed password

        shown = await browser.follow(await browser.post(url, posted.form(email=email)))
        assert shown.screen == "sign-in" and "Enter your password." in shown.errors
        done = await browser.post(url, shown.form(email=email, password=PASSWORD))
        assert done.status == 303 and done.response.headers["location"] == "/account"


async def test_the_local_sign_in_before_linking_never_goes_upstream(
    org: tuple[Stack, str],
) -> None:
    """Proving control of the account before linking an upstream identity must stay local."""
    stack, domain = org
    email = f"linker@{domain}"
    register_customer(stack.settings, email, PASSWORD)
    async with stack.browser() as browser:
        start = "/login?return_to=/login/idp/acme/link"
        page = await _sign_in_screen(browser, start)
        alone = await browser.follow(
            await browser.post(str(page.response.url.path), page.form(email=email))
        )
        assert alone.screen == "sign-in" and "Enter your password." in alone.errors
        posted = await sign_in(browser, email, PASSWORD, start=start)
        assert posted.status == 303
        assert posted.response.headers["location"] == "/login/idp/acme/link"
        assert "thr_session" in browser.http.cookies


def _password_input(page: Page) -> str:
    start = page.html.index('name="password"')
    return page.html[page.html.rindex("<input", 0, start) : page.html.index(">", start)]

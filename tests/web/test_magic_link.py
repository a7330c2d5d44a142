"""Magic-link sign-in over the real web app: across devices, single use, enumeration-safe, and
the same risk decision as a password (step-up, deny)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.client import Client

from store.models import Session
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page
from tests.support.login import code_now, enrol_totp
from tests.support.mail import MailCatcher, link_in, text_of
from tests.support.store import register_customer, rows, unique_email
from tests.web.test_login import Stack, allow, normalized, stack_for

__all__ = ["allow"]  # the fixture, shared with the login tests


@pytest_asyncio.fixture
async def step_up(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[Stack]:
    async with stack_for(make_settings, sqlite_url, client, "step_up") as stack:
        yield stack


@pytest_asyncio.fixture
async def deny(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[Stack]:
    async with stack_for(make_settings, sqlite_url, client, "deny") as stack:
        yield stack


async def post(browser: Browser, url: str, page: Page, **values: str) -> Page:
    """Post one screen like a browser without JavaScript and follow the redirect back."""
    posted = await browser.post(url, page.form(**values))
    return await browser.follow(posted) if posted.status == 303 else posted


async def ask_for_a_link(browser: Browser, email: str) -> tuple[str, Page]:
    started = await browser.get("/j/magic-link")
    assert started.status == 303, started.html[:300]
    page = await browser.follow(started)
    assert page.screen == "email-me-a-link", page.html[:300]
    url = str(page.response.url.path)
    page = await post(browser, url, page, email=email)
    assert page.screen == "check-your-inbox", page.html[:300]
    return url, page


async def open_link(browser: Browser, link: str) -> Page:
    """Open the emailed link and press its button, as the person reading the email would."""
    page = await browser.get(link.removeprefix("http://threshold.test"))
    assert page.status == 200, page.html[:300]
    token = re.search(r'name="token" value="([^"]+)"', page.html)
    action = re.search(r'action="([^"]+)"', page.html)
    assert token is not None and action is not None
    return await browser.post(action.group(1), {"csrf_token": page.csrf, "token": token.group(1)})


async def test_the_link_opened_on_a_phone_signs_in_the_laptop_once(
    allow: Stack, smtp_server: MailCatcher
) -> None:
    email = unique_email("magic-link")
    customer_id = register_customer(allow.settings, email)
    async with allow.browser() as laptop, allow.browser(ip="5.39.0.1") as phone:
        started = await laptop.follow(await laptop.get("/j/magic-link"))
        url = str(started.response.url.path)
        bad = await laptop.post(url, started.form(email="not an address"))
        assert bad.status == 422 and bad.screen == "email-me-a-link"
        page = await post(laptop, url, started, email=email.upper())
        assert page.screen == "check-your-inbox" and "15 minutes" in page.html

        link = link_in(await smtp_server.wait_for(to=email))
        prefetched = await phone.get(link.removeprefix("http://threshold.test"))
        assert prefetched.status == 200 and not rows(allow.settings, Session)  # GET does nothing
        confirmed = await open_link(phone, link)
        assert confirmed.status == 200 and "Go back to where you asked" in confirmed.html
        assert (await phone.get("/account")).status == 303  # the phone only confirmed

        done = await laptop.get(url)
        assert done.status == 303 and done.response.headers["location"] == "/account"
        assert (await laptop.get("/account")).status == 200
        [session] = rows(allow.settings, Session, customer_id=customer_id)
        assert session.amr == "email" and session.acr == "aal1"
        assert (await open_link(phone, link)).status == 410  # single use


async def test_an_unknown_address_walks_the_same_screens_and_gets_no_link(
    allow: Stack, smtp_server: MailCatcher
) -> None:
    known, unknown = unique_email("magic-known"), unique_email("magic-ghost")
    register_customer(allow.settings, known)
    async with allow.browser() as first, allow.browser() as second:
        _, known_page = await ask_for_a_link(first, known)
        ghost_url, ghost_page = await ask_for_a_link(second, unknown)

        def same(page: Page) -> str:
            return re.sub(r"magic-link-[0-9a-f\-]{36}", "…", normalized(page.html))

        assert same(known_page) == same(ghost_page)
        message = text_of(await smtp_server.wait_for(to=unknown))
        assert (
            "no\nThreshold account" in message.replace("\r", "") and "/link?token=" not in message
        )
        assert not re.search(r"\b\d{6}\b", message)
        page = await post(second, ghost_url, ghost_page, code="123456")
        assert page.screen == "check-your-inbox" and page.errors


async def test_a_risky_link_sign_in_steps_up_like_a_password(
    step_up: Stack, smtp_server: MailCatcher
) -> None:
    email = unique_email("magic-step-up")
    customer_id = register_customer(step_up.settings, email)
    app = enrol_totp(step_up.settings, customer_id)
    async with step_up.browser() as laptop, step_up.browser() as phone:
        url, _ = await ask_for_a_link(laptop, email)
        await open_link(phone, link_in(await smtp_server.wait_for(to=email)))
        page = await laptop.get(url)
        assert page.screen == "enter-totp", page.html[:300]
        page = await post(laptop, url, page, code="000000" if code_now(app) != "000000" else "1")
        assert page.screen == "enter-totp" and page.errors
        done = await laptop.post(url, page.form(code=code_now(app)))
        assert done.status == 303 and done.response.headers["location"] == "/account"
        [session] = rows(step_up.settings, Session, customer_id=customer_id)
        assert session.amr == "email otp" and session.acr == "aal2"


async def test_a_denied_link_sign_in_is_blocked_like_a_password(
    deny: Stack, smtp_server: MailCatcher
) -> None:
    email = unique_email("magic-deny")
    register_customer(deny.settings, email)
    async with deny.browser() as laptop:
        url, _ = await ask_for_a_link(laptop, email)
        await open_link(laptop, link_in(await smtp_server.wait_for(to=email)))
        page = await laptop.get(url)
        assert page.screen == "sign-in-blocked", page.html[:300]
        assert (await laptop.get("/account")).status == 303
        assert not rows(deny.settings, Session)

"""Passkeys over HTTP: sign up without a password, then list, rename, add and remove passkeys.

The scripted browser reads the options from the page's ``data-passkey-options`` and posts the
software authenticator's answer in the hidden field, as ``web/static/passkeys.js`` does.
"""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import timedelta

import pytest

from core.settings import Settings
from store.models import Customer, Session, utcnow
from store.passkey_models import Passkey
from tests.support.browser import Browser, Page
from tests.support.mail import MailCatcher, code_in
from tests.support.passkeys import SoftPasskey
from tests.support.store import one, rows, unique_email, update

OPTIONS_RE = re.compile(r'data-passkey-options="([^"]*)"')
PASSKEY_IDS_RE = re.compile(r'action="/account/passkeys/(\d+)/remove"')


def options_in(page: Page) -> str:
    found = OPTIONS_RE.search(page.html)
    assert found, page.html[:500]
    return html.unescape(found.group(1))


def posted(page: Page, **values: str) -> dict[str, str]:
    """An account-page form: its CSRF token plus ``values``."""
    return {"csrf_token": page.csrf, **values}


async def step(browser: Browser, url: str, page: Page, **values: str) -> Page:
    """Post the screen and follow the redirect to the next one."""
    posted = await browser.post(url, page.form(**values))
    assert posted.status == 303, posted.html[:500]
    return await browser.follow(posted)


async def passkey_customer(
    browser: Browser, smtp_server: MailCatcher, authenticator: SoftPasskey, email: str
) -> Page:
    """Register with a passkey over HTTP; returns the account page."""
    url, page = await browser.open_journey()
    assert 'value="passkey"' in page.html  # "Create a passkey instead"
    page = await step(browser, url, page, email=email, action="passkey")
    assert page.screen == "passkey-sign-up"
    page = await step(browser, url, page, email=email)
    page = await step(browser, url, page, code=code_in(await smtp_server.wait_for(to=email)))
    assert page.screen == "create-passkey"
    assert 'src="/static/passkeys.js"' in page.html
    page = await step(browser, url, page, passkey=authenticator.create(options_in(page)))
    assert page.screen == "accept-terms"
    done = await browser.post(url, page.form(terms="on"))
    assert done.response.headers["location"] == "/account"
    return await browser.follow(done)


async def test_passkey_account_lifecycle(
    browser: Browser,
    smtp_server: MailCatcher,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email = unique_email("passkey-web")
    first = SoftPasskey(settings.base_url)
    account = await passkey_customer(browser, smtp_server, first, email)
    assert account.status == 200 and 'href="/account/passkeys"' in account.html

    page = await browser.get("/account/passkeys")
    [only] = PASSKEY_IDS_RE.findall(page.html)
    assert "never used" in page.html and "your only way to sign in" in page.html

    refused = await browser.post(f"/account/passkeys/{only}/remove", posted(page))
    assert refused.status == 409 and "lock you out" in refused.html
    too_long = await browser.post(f"/account/passkeys/{only}/rename", posted(page, name="x" * 65))
    assert too_long.status == 422 and "1 to 64 characters" in too_long.html
    renamed = await browser.follow(
        await browser.post(f"/account/passkeys/{only}/rename", posted(page, name="  Old   phone "))
    )
    assert "Old phone" in renamed.html and "was renamed" in renamed.html

    # Add a second one through the add-passkey journey.
    started = await browser.post("/account/passkeys/add", posted(renamed))
    assert started.status == 303
    url = started.response.headers["location"]
    assert url.startswith("/j/add-passkey/add-passkey-")
    page = await browser.get(url)
    page = await step(browser, url, page, name="Laptop")
    assert page.screen == "create-passkey"
    assert len(json.loads(options_in(page))["excludeCredentials"]) == 1
    answer = SoftPasskey(settings.base_url).create(options_in(page))
    added = await browser.post(url, page.form(passkey=answer))
    assert added.response.headers["location"] == "/account/passkeys?done=added"
    page = await browser.follow(added)
    assert "Laptop" in page.html and "Old phone" in page.html

    removed = await browser.post(f"/account/passkeys/{only}/remove", posted(page))
    assert removed.status == 303
    customer = one(settings, Customer, email=email)
    assert [p.name for p in rows(settings, Passkey, customer_id=customer.id)] == ["Laptop"]

    # A passkey answer is no secret, but it stays out of the logs all the same.
    client_data = json.loads(answer)["response"]["clientDataJSON"]
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "add-passkey" in logged and client_data not in logged


async def test_adding_or_removing_needs_a_recent_sign_in(
    browser: Browser, smtp_server: MailCatcher, settings: Settings
) -> None:
    email = unique_email("passkey-stale")
    await passkey_customer(browser, smtp_server, SoftPasskey(settings.base_url), email)
    customer = one(settings, Customer, email=email)
    session = one(settings, Session, customer_id=customer.id)
    update(settings, session, authenticated_at=utcnow() - timedelta(minutes=6))
    page = await browser.get("/account/passkeys")
    [only] = PASSKEY_IDS_RE.findall(page.html)

    for path in ("/account/passkeys/add", f"/account/passkeys/{only}/remove"):
        sent = await browser.post(path, posted(page))
        assert sent.status == 303
        assert sent.response.headers["location"].startswith("/account/reauth?")
    assert len(rows(settings, Passkey, customer_id=customer.id)) == 1


async def test_other_peoples_passkeys_and_bad_posts(
    browser: Browser, other_browser: Browser, smtp_server: MailCatcher, settings: Settings
) -> None:
    await passkey_customer(
        browser, smtp_server, SoftPasskey(settings.base_url), unique_email("passkey-owner")
    )
    page = await browser.get("/account/passkeys")
    [theirs] = PASSKEY_IDS_RE.findall(page.html)
    await passkey_customer(
        other_browser, smtp_server, SoftPasskey(settings.base_url), unique_email("passkey-other")
    )
    mine = await other_browser.get("/account/passkeys")

    stolen = await other_browser.post(f"/account/passkeys/{theirs}/rename", posted(mine, name="x"))
    assert stolen.status == 404
    no_csrf = await other_browser.post(f"/account/passkeys/{theirs}/remove", {})
    assert no_csrf.status == 403


async def test_the_add_passkey_journey_cannot_be_started_from_its_url(browser: Browser) -> None:
    """Internal: only the passkeys page starts it, for the signed-in customer (see
    tests/web/test_journey_entry.py); the bare URL is a 404 and starts nothing."""
    page = await browser.get("/j/add-passkey")

    assert page.status == 404
    assert "thr_journeys=" not in page.response.headers.get("set-cookie", "")


async def test_signed_out_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    page = await browser.get("/account/passkeys")

    assert page.status == 303
    assert page.response.headers["location"] == "/login?return_to=%2Faccount%2Fpasskeys"

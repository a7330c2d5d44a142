"""Login, factors, sessions and re-authentication through the real web app (plain form posts)."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pyotp
import pytest
import pytest_asyncio
from fastapi import FastAPI
from temporalio.client import Client

from core.security.hashing import email_lookup
from core.settings import Settings
from store.login_models import LoginThrottle, TotpFactor
from store.models import Session, utcnow
from store.throttle import ACCOUNT, EPOCH, Throttle
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page
from tests.support.login import Policy, code_now, pinned
from tests.support.store import one, register_customer, rows, unique_email, update
from tests.support.temporal import running_worker, target_of
from web.app import create_app
from workers.activities.login import WRONG, account_key

PASSWORD = "violet-tractor-harbour"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


class Stack:
    """The app with a worker whose risk policy is pinned, and browsers on it."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    @asynccontextmanager
    async def browser(
        self, ip: str = "81.2.69.160", user_agent: str = CHROME
    ) -> AsyncIterator[Browser]:
        transport = httpx.ASGITransport(app=self.app, client=(ip, 40000))
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://threshold.test",
            headers={"user-agent": user_agent},
            timeout=60,
        ) as http:
            yield Browser(http)


@asynccontextmanager
async def stack_for(
    make_settings: MakeSettings, database_url: str, client: Client, policy: Policy
) -> AsyncIterator[Stack]:
    settings = pinned(make_settings(database_url, temporal_address=target_of(client)), policy)
    async with running_worker(client, settings):
        yield Stack(create_app(settings, client=client), settings)


@pytest_asyncio.fixture
async def allow(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[Stack]:
    async with stack_for(make_settings, sqlite_url, client, "allow") as stack:
        yield stack


async def sign_in(browser: Browser, email: str, password: str, start: str = "/login") -> Page:
    """Open the login journey and post the credentials; returns the answer to the post."""
    page = await browser.get(start)
    while page.status == 303:
        page = await browser.follow(page)
    assert page.screen == "sign-in", page.html[:300]
    return await browser.post(
        str(page.response.url.path), page.form(email=email, password=password)
    )


def normalized(html: str) -> str:
    """A page without what differs per request: tokens, sequence numbers, journey ids."""
    html = re.sub(r'value="[A-Za-z0-9_\-]{20,}"', 'value="…"', html)
    html = re.sub(r"login-[0-9a-f\-]{36}", "login-…", html)
    html = re.sub(r"challenge&#34;: &#34;[A-Za-z0-9_\-]+", "challenge…", html)
    return re.sub(r'(seq|data-seq)(="|" value=")\d+', r"\1\2…", html)


async def test_login_url_keeps_a_local_return_to(allow: Stack) -> None:
    async with allow.browser() as browser:
        page = await browser.get("/login?return_to=/account/security")
        assert page.status == 303
        assert page.response.headers["location"] == "/j/login?return_to=%2Faccount%2Fsecurity"
        page = await browser.get("/login?return_to=//evil.example/")
        assert page.response.headers["location"] == "/j/login"


async def test_sign_in_with_plain_posts_records_the_session(allow: Stack) -> None:
    email = unique_email("web-login")
    customer_id = register_customer(allow.settings, email, PASSWORD)
    async with allow.browser() as browser:
        posted = await sign_in(browser, email, PASSWORD)
        assert posted.status == 303 and posted.response.headers["location"] == "/account"
        account = await browser.get("/account")
        assert account.status == 200
        assert "Mozilla/5.0" not in account.html  # the device in words, not the raw user agent

        [session] = rows(allow.settings, Session, customer_id=customer_id)
        assert session.amr == "pwd" and session.acr == "aal1"
        assert session.browser.startswith("Chrome") and session.authenticated_at is not None
        assert session.browser in account.html
        page = await browser.get("/account/sessions")
        assert page.status == 200 and session.browser in page.html and "(this browser)" in page.html


@pytest.mark.usefixtures("real_hashing_cost")
async def test_unknown_email_wrong_password_and_locked_look_identical(allow: Stack) -> None:
    known, ghost, locked = unique_email("known"), unique_email("ghost"), unique_email("locked")
    register_customer(allow.settings, known, PASSWORD)
    register_customer(allow.settings, locked, PASSWORD)
    key = account_key(email_lookup(allow.settings.derive_key("email-lookup"), locked))
    Throttle(allow.settings.database_url).admit(key, ACCOUNT)  # creates the row
    row = one(allow.settings, LoginThrottle, key=key)
    update(allow.settings, row, failures=ACCOUNT.lock_after, blocked_until=EPOCH)

    cases = {
        "unknown": (ghost, PASSWORD),
        "wrong": (known, "not-it-at-all"),
        "locked": (locked, PASSWORD),
    }
    answers: dict[str, tuple[int, int, str]] = {}
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(3):
        for name, (email, password) in cases.items():
            async with allow.browser(ip=f"192.0.2.{10 * round_ + len(name)}") as browser:
                began = time.perf_counter()
                posted = await sign_in(browser, email, password)
                timings[name].append(time.perf_counter() - began)
                shown = await browser.follow(posted)
                body = normalized(shown.html).replace(email, "EMAIL")
                answers[name] = (posted.status, shown.status, body)
                assert WRONG in shown.errors
    assert answers["unknown"] == answers["wrong"] == answers["locked"]
    medians = [statistics.median(t) for t in timings.values()]
    # Not a performance assertion: the same order of magnitude (each verifies one argon2 hash).
    assert max(medians) < 5 * min(medians), timings


async def test_twenty_parallel_wrong_passwords_over_http(allow: Stack) -> None:
    email = unique_email("burst")
    register_customer(allow.settings, email, PASSWORD)

    async def one_try(i: int) -> list[str]:
        async with allow.browser(ip=f"198.51.100.{i + 1}") as browser:
            page = await browser.get("/j/login")
            page = await browser.follow(page)
            url = str(page.response.url.path)
            form = page.form(email=email, password=f"guess-{i}")
            return (await browser.follow(await browser.post(url, form))).errors

    answers = await asyncio.gather(*(one_try(i) for i in range(20)))
    assert sum(WRONG in a for a in answers) == 5
    assert sum(any(e.startswith("Too many attempts") for e in a) for a in answers) == 15


async def test_sessions_list_and_revoke(allow: Stack) -> None:
    email = unique_email("sessions")
    register_customer(allow.settings, email, PASSWORD)
    async with (
        allow.browser(user_agent=CHROME) as laptop,
        allow.browser(ip="5.39.0.1", user_agent=FIREFOX) as phone,
        allow.browser(user_agent=FIREFOX) as tablet,
    ):
        for browser in (laptop, phone, tablet):
            assert (await sign_in(browser, email, PASSWORD)).status == 303
        page = await laptop.get("/account/sessions")
        handles = re.findall(r'data-session="([0-9a-f]+)"', page.html)
        assert len(handles) == 3 and "Firefox" in page.html

        phone_page = await phone.get("/account/sessions")
        phone_handle = re.findall(r'data-session="([0-9a-f]+)"', phone_page.html)[0]
        revoked = await laptop.post(
            "/account/sessions/revoke", {"csrf_token": page.csrf, "handle": phone_handle}
        )
        assert revoked.status == 303
        assert (await phone.get("/account")).status == 303  # signed out
        bogus = await laptop.post(
            "/account/sessions/revoke", {"csrf_token": page.csrf, "handle": "f" * 32}
        )
        assert bogus.status == 404
        no_csrf = await laptop.post("/account/sessions/revoke", {"scope": "others"})
        assert no_csrf.status == 403

        others = await laptop.post(
            "/account/sessions/revoke", {"csrf_token": page.csrf, "scope": "others"}
        )
        assert others.status == 303
        assert (await tablet.get("/account")).status == 303
        assert (await laptop.get("/account")).status == 200


async def test_factor_changes_need_a_recent_sign_in_then_totp_enrolment(allow: Stack) -> None:
    email = unique_email("enrol")
    customer_id = register_customer(allow.settings, email, PASSWORD)
    async with allow.browser() as browser:
        await sign_in(browser, email, PASSWORD)
        old_cookie = browser.http.cookies.get("thr_session")
        [session] = rows(allow.settings, Session, customer_id=customer_id)
        update(allow.settings, session, authenticated_at=utcnow() - timedelta(minutes=6))

        page = await browser.get("/account/security")
        begun = await browser.post("/account/totp/begin", {"csrf_token": page.csrf})
        assert begun.status == 303
        assert begun.response.headers["location"].startswith("/account/reauth?return_to=")
        confirm = await browser.follow(await browser.follow(begun))
        assert confirm.screen == "confirm-password"
        done = await browser.post(str(confirm.response.url.path), confirm.form(password=PASSWORD))
        assert done.status == 303 and done.response.headers["location"] == "/account/security"
        assert browser.http.cookies.get("thr_session") != old_cookie  # rotated
        assert one(allow.settings, Session, id_hash=session.id_hash).revoked_at is not None

        page = await browser.follow(done)
        begun = await browser.post("/account/totp/begin", {"csrf_token": page.csrf})
        assert begun.response.headers["location"] == "/account/totp"
        totp = await browser.follow(begun)
        assert 'src="data:image/svg+xml' in totp.html
        seed = re.search(r'data-testid="totp-key">([A-Z2-7]+)<', totp.html)
        assert seed is not None
        wrong = await browser.post(
            "/account/totp/confirm", {"csrf_token": totp.csrf, "code": "12345x"}
        )
        assert wrong.status == 422
        confirmed = await browser.post(
            "/account/totp/confirm",
            {"csrf_token": totp.csrf, "code": code_now(pyotp.TOTP(seed.group(1)))},
        )
        assert confirmed.response.headers["location"] == "/account/security?done=totp-on"
        assert one(allow.settings, TotpFactor, customer_id=customer_id).confirmed_at

        page = await browser.follow(confirmed)
        codes = await browser.post("/account/recovery-codes", {"csrf_token": page.csrf})
        shown = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", codes.html)
        assert codes.status == 200 and len(set(shown)) == 10


@pytest.mark.parametrize("path", ["/account/security", "/account/sessions", "/account/totp"])
async def test_account_pages_send_visitors_to_login(allow: Stack, path: str) -> None:
    async with allow.browser() as browser:
        page = await browser.get(path)
        assert page.status == 303 and page.response.headers["location"].startswith("/login?")

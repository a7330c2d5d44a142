"""Account recovery over HTTP: the pages, the emailed link on another device, the headers, and
enumeration (status, body and timing alike for known and unknown emails).
"""

from __future__ import annotations

import asyncio
import logging
import re
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from core.settings import Settings
from tests.support.browser import Browser, Page
from tests.support.mail import MailCatcher, link_in, text_of
from tests.support.recovery import NEW_PASSWORD, PASSWORD
from tests.support.store import register_customer, unique_email
from web.sessions import SessionStore

TRIES = 30
log = logging.getLogger("tests.recovery.timing")
EVIL = "evil.example"


@asynccontextmanager
async def browser_at(app: FastAPI, ip: str) -> AsyncIterator[Browser]:
    """A browser whose requests come from ``ip`` (so per-IP limits stay out of the way)."""
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://threshold.test", follow_redirects=False, timeout=60
    ) as http:
        yield Browser(http)


async def open_recovery(browser: Browser) -> tuple[str, Page]:
    """``/recover`` to the first screen; returns the journey URL and the page."""
    page = await browser.get("/recover")
    assert page.status == 303 and page.response.headers["location"] == "/j/recovery"
    assert page.response.headers["referrer-policy"] == "no-referrer"
    url, first = await browser.open_journey("/j/recovery")
    assert first.screen == "forgot-password"
    return url, first


def normalized(html: str) -> str:
    """A page without what differs per request: tokens, sequence numbers, ids, the masked email."""
    html = re.sub(r'value="[A-Za-z0-9_\-]{20,}"', 'value="…"', html)
    html = re.sub(r"recovery-[0-9a-f\-]{36}", "recovery-…", html)
    html = re.sub(r"\w•+@example\.com", "…@example.com", html)
    return re.sub(r'(seq|data-seq)(="|" value=")\d+', r"\1\2…", html)


async def test_sign_in_page_links_to_recovery(browser: Browser) -> None:
    _, page = await browser.open_journey("/login")
    assert page.screen == "sign-in"
    assert '<a href="/recover">Forgot your password?</a>' in page.html


async def test_recover_with_the_link_on_another_device(
    browser: Browser, other_browser: Browser, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover-http")
    customer_id = register_customer(settings, email, PASSWORD)
    old_session = SessionStore(settings).issue_for_journey(
        customer_id=customer_id,
        journey_id=f"login-old-{customer_id}",
        nonce="old",
        amr=["pwd"],
        user_agent="test",
        ip="127.0.0.1",
    )
    other_browser.http.cookies.set("thr_session", old_session)
    assert (await other_browser.get("/account")).status == 200

    url, page = await open_recovery(browser)
    assert page.response.headers["referrer-policy"] == "no-referrer"
    posted = await browser.post(url, page.form(email=email), headers={"Host": EVIL})
    assert posted.status == 303
    waiting = await browser.follow(posted)
    assert waiting.screen == "check-your-email"
    assert waiting.response.headers["referrer-policy"] == "no-referrer"

    link = link_in(await smtp_server.wait_for(to=email))
    assert link.startswith(f"{settings.base_url}/j/recovery/"), link  # never the Host header
    assert EVIL not in link
    path = link.removeprefix(settings.base_url)
    opened = await other_browser.get(path)
    assert opened.status == 200 and opened.response.headers["referrer-policy"] == "no-referrer"
    token = re.search(r'name="token" value="([^"]+)"', opened.html)
    assert token is not None
    form = {"csrf_token": opened.csrf, "token": token.group(1)}
    confirmed = await other_browser.post(path.split("?")[0], form)
    assert confirmed.status == 200 and "Link confirmed" in confirmed.html  # recovery's words
    assert "Reset my password" in opened.html and "Confirm your email" not in opened.html
    again = await other_browser.post(path.split("?")[0], form)  # the same link, reused
    assert again.status in (400, 410)

    page = await browser.get(url)
    assert page.screen == "new-password"
    weak = await browser.post(url, page.form(password="iloveyou"))
    assert weak.status == 422 and weak.screen == "new-password"
    done = await browser.post(url, page.form(password=NEW_PASSWORD))
    assert done.status == 303 and done.response.headers["location"] == "/login"

    account = await other_browser.get("/account")
    assert account.status != 200  # the old session was revoked
    changed = await smtp_server.wait_for(to=email, count=2)
    assert settings.base_url in text_of(changed) and EVIL not in text_of(changed)


async def test_known_and_unknown_emails_look_and_take_the_same(
    app: FastAPI, settings: Settings, smtp_server: MailCatcher
) -> None:
    known = [unique_email("k") for _ in range(TRIES)]
    unknown = [unique_email("u") for _ in range(TRIES)]
    for email in known:
        register_customer(settings, email, PASSWORD)
    timings = {"known": [0.0] * TRIES, "unknown": [0.0] * TRIES}
    bodies: dict[str, set[str]] = {"known": set(), "unknown": set()}
    statuses: dict[str, set[tuple[int, int]]] = {"known": set(), "unknown": set()}

    async def attempt(i: int, kind: str, email: str, ip: str) -> None:
        async with browser_at(app, ip) as browser:
            url, page = await browser.open_journey("/j/recovery")
            began = time.perf_counter()
            posted = await browser.post(url, page.form(email=email))
            shown = await browser.follow(posted)
            timings[kind][i] = time.perf_counter() - began
        statuses[kind].add((posted.status, shown.status))
        bodies[kind].add(normalized(shown.html))

    for i in range(TRIES):
        # Both kinds at once, so each pair meets the same load on the machine; who starts first
        # alternates.
        order = [("known", known[i]), ("unknown", unknown[i])]
        if i % 2:
            order.reverse()
        await asyncio.gather(
            *(attempt(i, kind, email, f"10.{n}.{i}.1") for n, (kind, email) in enumerate(order))
        )

    assert statuses["known"] == statuses["unknown"] == {(303, 200)}
    assert len(bodies["known"]) == 1 and bodies["known"] == bodies["unknown"]
    known_median = statistics.median(timings["known"])
    unknown_median = statistics.median(timings["unknown"])
    ratio = known_median / unknown_median
    log.info(
        "recovery request median: known %.1f ms, unknown %.1f ms, ratio %.3f",
        known_median * 1000,
        unknown_median * 1000,
        ratio,
    )
    paired = statistics.median(
        k / u for k, u in zip(timings["known"], timings["unknown"], strict=True)
    )
    log.info("paired ratio %.3f", paired)
    assert abs(ratio - 1) <= 0.10, (known_median, unknown_median)
    for email in (known[0], unknown[0]):
        assert len(smtp_server.messages_to(email)) == 1

"""Finding 6 over the app: emails to one address are limited the same way whichever journey (and
however many runs of it) asks, with an answer that reveals nothing about the address."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from core.settings import Settings
from store.mail_limits import PER_ADDRESS
from tests.support.browser import sign_up
from tests.support.mail import MailCatcher
from tests.support.store import register_customer, unique_email
from tests.web.test_recovery import browser_at

PASSWORD = "violet-tractor-harbour"
TOO_MANY = "We did not send another email"


async def test_eight_parallel_sign_ups_for_one_address_send_exactly_the_limit(
    app: FastAPI, smtp_server: MailCatcher
) -> None:
    email = unique_email("flood")

    async def one(i: int) -> str:
        async with browser_at(app, f"10.8.0.{i + 1}") as browser:
            _, page = await sign_up(browser, email, PASSWORD)
            return page.html

    pages = await asyncio.gather(*(one(i) for i in range(8)))
    await asyncio.sleep(1)  # let any extra email arrive, so it would be counted

    assert len(smtp_server.messages_to(email)) == PER_ADDRESS.free_failures
    refused = [html for html in pages if TOO_MANY in html]
    assert len(refused) == 8 - PER_ADDRESS.free_failures


async def test_the_limit_is_shared_by_registration_and_recovery_alike_for_any_address(
    app: FastAPI, settings: Settings, smtp_server: MailCatcher
) -> None:
    taken, free = unique_email("taken"), unique_email("free")
    register_customer(settings, taken, PASSWORD)
    answers: dict[str, list[int]] = {}
    for email in (taken, free):
        for i in range(PER_ADDRESS.free_failures - 1):
            async with browser_at(app, f"10.9.{i}.1") as browser:
                _, page = await sign_up(browser, email, PASSWORD)
                assert TOO_MANY not in page.html
        answers[email] = []
        for i in range(3):
            async with browser_at(app, f"10.9.{i}.2") as browser:
                url, page = await browser.open_journey("/j/recovery")
                shown = await browser.follow(await browser.post(url, page.form(email=email)))
                answers[email].append(shown.status)
                assert ("Too many" in shown.html) == (i > 0), shown.html[:300]

    assert answers[taken] == answers[free]
    for email in (taken, free):
        assert len(smtp_server.messages_to(email)) == PER_ADDRESS.free_failures

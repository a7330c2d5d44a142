"""Client hints: pages ask for them, the sign-in start reads them, and the risk model learns them.

A Chromium-like client sends the hints it was asked for; the customer's learned habits then hold
the hints level of exactly the string the web built (at a sign-in, and at registration's cold
start), so an attacker copying the user agent still differs there. A client sending none
(Firefox, Safari) starts journeys with no hints at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from starlette.datastructures import Headers
from starlette.requests import Request
from temporalio.client import Client

from core.settings import Settings
from store.models import Customer
from store.risk_models import RiskCustomerCount
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page, sign_up
from tests.support.login import pinned
from tests.support.mail import MailCatcher, code_in
from tests.support.store import one, register_customer, rows, unique_email
from tests.support.temporal import running_worker, target_of
from web import client_hints
from web.app import create_app
from workers.risk.features import extract
from workers.risk.store import SqlRiskStore

PASSWORD = "violet-tractor-harbour"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36"
HINTS = {
    "sec-ch-ua": '"Chromium";v="131", "Not_A Brand";v="24"',
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": '"Windows"',
    "sec-ch-ua-platform-version": '"15.0.0"',
    "sec-ch-ua-model": '""',
}
IP = "81.2.69.160"


def request_with(headers: dict[str, str]) -> Request:
    raw = [(k.encode(), v.encode()) for k, v in Headers(headers).items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


def test_hints_are_read_into_one_string() -> None:
    assert client_hints.read(request_with(HINTS)) == 'platform="Windows";version="15.0.0";model=""'
    low = {k: v for k, v in HINTS.items() if "version" not in k and "model" not in k}
    assert client_hints.read(request_with(low)) == 'platform="Windows"'
    assert client_hints.read(request_with({})) == ""
    odd = {"sec-ch-ua-platform": '"Win";dows"' + "x" * 500, "sec-ch-ua-platform-version": "1"}
    read = client_hints.read(request_with(odd))
    assert ";dows" not in read and len(read) < 120


@pytest_asyncio.fixture
async def stack(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient, httpx.AsyncClient]]:
    settings = pinned(make_settings(sqlite_url, temporal_address=target_of(client)), "allow")
    async with running_worker(client, settings):
        app = create_app(settings, client=client)
        transport = httpx.ASGITransport(app=app, client=(IP, 40000))
        common = {"base_url": "http://threshold.test", "timeout": 60, "transport": transport}
        async with (
            httpx.AsyncClient(headers={"user-agent": CHROME, **HINTS}, **common) as chromium,
            httpx.AsyncClient(headers={"user-agent": CHROME}, **common) as silent,
        ):
            yield settings, chromium, silent


async def sign_in(browser: Browser, email: str) -> Page:
    page = await browser.get("/login")
    assert page.response.headers["accept-ch"] == client_hints.ACCEPT_CH
    assert "Sec-CH-UA-Platform-Version" in page.response.headers["critical-ch"]
    while page.status == 303:
        page = await browser.follow(page)
    assert page.response.headers["accept-ch"] == client_hints.ACCEPT_CH
    return await browser.post(
        str(page.response.url.path), page.form(email=email, password=PASSWORD)
    )


def learned_hints(settings: Settings, customer_id: str, hints: str) -> bool:
    """Whether the customer's habits hold the hints level of ``hints`` from this browser."""
    store = SqlRiskStore(settings.database_url, settings.derive_key("risk-features"))
    (level,) = [
        lv for lv in extract(IP, CHROME, "", client_hints=hints).software if lv.name == "hints"
    ]
    keys = {row.key for row in rows(settings, RiskCustomerCount, customer_id=customer_id)}
    return store.hash(level.path) in keys


async def test_sign_in_passes_the_hints_to_the_risk_model(
    stack: tuple[Settings, httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    settings, chromium, silent = stack
    hinted, plain = unique_email("hints"), unique_email("no-hints")
    hinted_id = register_customer(settings, hinted, PASSWORD)
    plain_id = register_customer(settings, plain, PASSWORD)
    done = await sign_in(Browser(chromium), hinted)
    assert done.response.headers.get("location") == "/account", done.html[:300]
    done = await sign_in(Browser(silent), plain)
    assert done.response.headers.get("location") == "/account", done.html[:300]
    sent = 'platform="Windows";version="15.0.0";model=""'
    assert learned_hints(settings, hinted_id, sent)
    assert not learned_hints(settings, hinted_id, "")
    assert learned_hints(settings, plain_id, "")


async def test_registration_learns_the_hints_as_the_baseline(
    stack: tuple[Settings, httpx.AsyncClient, httpx.AsyncClient], smtp_server: MailCatcher
) -> None:
    settings, chromium, _ = stack
    browser, email = Browser(chromium), unique_email("hints-signup")
    url, page = await sign_up(browser, email, PASSWORD)
    posted = await browser.post(url, page.form(code=code_in(await smtp_server.wait_for(to=email))))
    page = await browser.follow(posted)
    assert page.screen == "accept-terms", page.html[:300]
    done = await browser.post(url, page.form(terms="on"))
    assert done.response.headers.get("location") == "/account", done.html[:300]
    customer = one(settings, Customer, email=email)
    assert learned_hints(settings, customer.id, 'platform="Windows";version="15.0.0";model=""')

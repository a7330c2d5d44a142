"""A scripted browser over httpx: keeps cookies, reads forms, posts them like a person would.

It talks to the ASGI app in-process (``ASGITransport``) or to a real server over loopback, and
never follows redirects by itself, so tests can assert every status code on the way.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SEQ_RE = re.compile(r'name="seq" value="(\d+)"')
SCREEN_RE = re.compile(r'data-screen="([^"]+)"')
ERROR_RE = re.compile(r'class="error[^"]*"[^>]*>([^<]+)<')


@dataclass
class Page:
    """A fetched page: status, URL, HTML and the form fields a person would submit."""

    response: httpx.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def html(self) -> str:
        return self.response.text

    @property
    def screen(self) -> str | None:
        found = SCREEN_RE.search(self.html)
        return found.group(1) if found else None

    @property
    def csrf(self) -> str:
        found = CSRF_RE.search(self.html)
        assert found, f"no CSRF token on page ({self.status}): {self.html[:300]}"
        return found.group(1)

    @property
    def seq(self) -> str:
        found = SEQ_RE.search(self.html)
        assert found, f"no seq on page ({self.status}): {self.html[:300]}"
        return found.group(1)

    @property
    def errors(self) -> list[str]:
        return [e.strip() for e in ERROR_RE.findall(self.html)]

    def form(self, **values: str) -> dict[str, str]:
        """This page's hidden fields plus ``values``."""
        hidden = {"csrf_token": self.csrf, "seq": self.seq}
        if self.screen:
            hidden["screen"] = self.screen
        return {**hidden, **values}


class Browser:
    """One browser profile (its own cookie jar)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def get(self, url: str, **kwargs: Any) -> Page:
        return Page(await self.http.get(url, **kwargs))

    async def post(self, url: str, data: dict[str, str], **kwargs: Any) -> Page:
        return Page(await self.http.post(url, data=data, **kwargs))

    async def follow(self, page: Page) -> Page:
        """Follow one 303 like a browser would."""
        assert page.status in (302, 303), (
            f"expected a redirect, got {page.status}: {page.html[:300]}"
        )
        return await self.get(page.response.headers["location"])

    async def open_journey(self, start: str = "/register") -> tuple[str, Page]:
        """Start a journey; returns its URL and first screen."""
        page = await self.get(start)
        while page.status == 303:
            page = await self.follow(page)
        assert page.status == 200, page.html[:500]
        return str(page.response.url.path), page


@asynccontextmanager
async def browser_for(
    app: Any = None, base_url: str = "http://threshold.test"
) -> AsyncIterator[Browser]:
    """A browser on the ASGI ``app`` in-process, or on a real server at ``base_url``."""
    transport = httpx.ASGITransport(app=app) if app is not None else None
    async with httpx.AsyncClient(
        transport=transport, base_url=base_url, follow_redirects=False, timeout=60
    ) as client:
        yield Browser(client)


async def sign_up(browser: Browser, email: str, password: str) -> tuple[str, Page]:
    """Open /register and submit email + password; returns the journey URL and the next screen."""
    url, page = await browser.open_journey()
    posted = await browser.post(url, page.form(email=email, password=password))
    assert posted.status == 303, posted.html[:500]
    return url, await browser.follow(posted)

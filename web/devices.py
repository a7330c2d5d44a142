"""The long-lived device cookie: lets risk scoring recognise a returning browser.

The cookie holds a random id; journeys only ever see its keyed hash, so history and the database
hold nothing a thief could replay as the cookie.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from core.security.hashing import keyed_hash
from web.cookies import CookieJar


class DeviceCookie:
    """Reads or mints the ``thr_device`` cookie."""

    MAX_AGE_SECONDS = 400 * 24 * 3600  # the longest lifetime browsers honour
    MAX_LENGTH = 64

    def __init__(self, key: bytes, cookies: CookieJar) -> None:
        self.key = key
        self.cookies = cookies

    def identify(self, request: Request) -> tuple[str, str | None]:
        """The device hash for this browser, and a new cookie value to set if it had none."""
        raw = request.cookies.get(self.cookies.name(CookieJar.DEVICE), "")
        fresh = None
        if not raw or len(raw) > self.MAX_LENGTH:
            raw = fresh = secrets.token_urlsafe(24)
        return keyed_hash(self.key, "device", raw), fresh

    def remember(self, response: Response, value: str) -> None:
        """Set the cookie minted by :meth:`identify`."""
        self.cookies.set(response, CookieJar.DEVICE, value, max_age=self.MAX_AGE_SECONDS)

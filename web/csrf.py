"""CSRF protection: a random per-browser cookie and a form token that is its keyed hash.

A cross-site form can make the browser send the cookie but cannot read it, so it cannot compute the
token; every POST must carry the token as the ``csrf_token`` field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from core.security.hashing import keyed_hash
from web.cookies import CookieJar


class CsrfError(Exception):
    """The POST lacked a valid token; the message is shown to the customer."""


class Csrf:
    """Issues and checks CSRF tokens."""

    FIELD = "csrf_token"
    HEADER = "x-csrf-token"

    def __init__(self, key: bytes, cookies: CookieJar) -> None:
        self.key = key
        self.cookies = cookies

    def token_for(self, request: Request) -> str:
        """The token to embed in forms, minting the browser's cookie value on first use."""
        seed = request.cookies.get(self.cookies.name(CookieJar.CSRF)) or getattr(
            request.state, "csrf_seed", None
        )
        if not seed:
            seed = secrets.token_urlsafe(32)
            request.state.csrf_seed = seed
        return keyed_hash(self.key, "csrf", seed)

    def persist(self, request: Request, response: Response) -> None:
        """Set the cookie if :meth:`token_for` minted a new seed for this response."""
        seed = getattr(request.state, "csrf_seed", None)
        if seed:
            self.cookies.set(response, CookieJar.CSRF, seed)

    def check(self, request: Request, submitted: str | None) -> None:
        """Raise :class:`CsrfError` unless ``submitted`` matches this browser's cookie."""
        seed = request.cookies.get(self.cookies.name(CookieJar.CSRF))
        if not seed:
            raise CsrfError(
                "Your form expired (no security cookie). Reload the page and try again."
            )
        token = submitted or request.headers.get(self.HEADER, "")
        expected = keyed_hash(self.key, "csrf", seed).encode()
        # Bytes: compare_digest refuses non-ASCII str (a header of "é" was once a 500).
        if not token or not hmac.compare_digest(token.encode("utf-8", "replace"), expected):
            raise CsrfError("This form's security token is missing or wrong. Reload the page.")

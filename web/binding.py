"""Binding journeys to the browser that started them.

Knowing a workflow id never lets anyone drive a journey: the browser that started it holds a
signed cookie listing its journeys, each with a random nonce that never leaves this cookie (it
also seeds the session the journey issues, see :mod:`web.sessions`).
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from web.cookies import CookieJar


class JourneyBinding:
    """Reads and writes the signed ``thr_journeys`` cookie."""

    MAX_JOURNEYS = 8
    MAX_AGE_SECONDS = 7 * 24 * 3600

    def __init__(self, key: bytes, cookies: CookieJar) -> None:
        self.serializer = URLSafeSerializer(key, salt="journeys")
        self.cookies = cookies

    def bound(self, request: Request) -> dict[str, str]:
        """This browser's journeys (id → nonce); an invalid cookie counts as none."""
        raw = request.cookies.get(self.cookies.name(CookieJar.JOURNEYS))
        if not raw:
            return {}
        try:
            data = self.serializer.loads(raw)
        except BadSignature:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def nonce(self, request: Request, journey_id: str) -> str | None:
        """The nonce if this browser owns ``journey_id``."""
        return self.bound(request).get(journey_id)

    def bind(self, request: Request, response: Response, journey_id: str) -> None:
        """Add a journey to this browser, dropping the oldest beyond :attr:`MAX_JOURNEYS`."""
        journeys = self.bound(request)
        journeys[journey_id] = secrets.token_urlsafe(24)
        kept = dict(list(journeys.items())[-self.MAX_JOURNEYS :])
        self.cookies.set(
            response,
            CookieJar.JOURNEYS,
            self.serializer.dumps(kept),
            max_age=self.MAX_AGE_SECONDS,
        )

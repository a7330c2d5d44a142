"""Cookie names and attributes: ``__Host-`` + ``Secure`` over https, plain names on http dev."""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response

from core.settings import Settings


class CookieJar:
    """Sets and names our cookies consistently (HttpOnly, SameSite=Lax, path /)."""

    SESSION = "thr_session"
    JOURNEYS = "thr_journeys"
    CSRF = "thr_csrf"
    DEVICE = "thr_device"

    def __init__(self, settings: Settings) -> None:
        self.secure = settings.is_https

    def name(self, base: str) -> str:
        """The cookie's name on this deployment."""
        return f"__Host-{base}" if self.secure else base

    def set(
        self,
        response: Response,
        base: str,
        value: str,
        *,
        max_age: int | None = None,
        samesite: Literal["lax", "strict"] = "lax",
    ) -> None:
        """Set a cookie with our fixed attributes."""
        response.set_cookie(
            self.name(base),
            value,
            max_age=max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite=samesite,
        )

    def clear(self, response: Response, base: str) -> None:
        """Expire a cookie."""
        response.delete_cookie(
            self.name(base), path="/", secure=self.secure, httponly=True, samesite="lax"
        )

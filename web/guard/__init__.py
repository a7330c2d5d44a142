"""The app's edge: every request passes these ASGI layers before any route sees it.

Defences that hold for every endpoint, including ones added later (issue 15, finding 8):

* :mod:`web.guard.inputs` refuses malformed input with a precise 400/413/415 answer before a route
  runs: oversized bodies, JSON too deep or with numbers no column can hold, bodies that are not
  UTF-8, NULs and lone surrogates, non-ASCII in protocol fields, controls in the path;
* :mod:`web.guard.last_resort` turns an unexpected exception into the error page, inside
* :mod:`web.guard.headers`, so even that page carries CSP, ``X-Frame-Options`` and ``nosniff``, and
  the keep-alive connection stays open (nothing is re-raised to the server).
"""

from __future__ import annotations

from fastapi import FastAPI

from web.guard.headers import SecurityHeaders
from web.guard.inputs import InputGuard
from web.guard.last_resort import LastResort


def install(app: FastAPI) -> None:
    """Add the layers; call before any outer middleware (the last added runs first)."""
    app.add_middleware(InputGuard)
    app.add_middleware(LastResort)
    app.add_middleware(SecurityHeaders)


__all__ = ["InputGuard", "LastResort", "SecurityHeaders", "install"]

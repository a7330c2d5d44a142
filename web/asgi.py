"""The base of the app's own middlewares: a pure ASGI layer that acts on HTTP requests only.

Pure ASGI rather than Starlette's ``BaseHTTPMiddleware``: that one runs the app in a separate task
and, when a client goes away under load, fails with "No response returned" instead of passing the
request through. A pure layer also sees every message the layers inside it send, so it covers what
they answer on their own. Lifespan (and any other non-HTTP scope) passes through untouched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpLayer(ABC):
    """Wraps ``app``; a subclass serves each HTTP request in :meth:`http`, calling ``self.app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    @abstractmethod
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request."""

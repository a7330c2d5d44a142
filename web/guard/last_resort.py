"""The last resort: an exception no route handled becomes the error page, not a dropped connection.

Starlette sends ``Exception`` handlers to its outermost ``ServerErrorMiddleware``, which answers
outside every other middleware (no security headers) and re-raises, so the server closes the
keep-alive connection. This layer sits inside :class:`~web.guard.headers.SecurityHeaders` and
answers itself.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from web.asgi import HttpLayer
from web.guard.answers import problem

log = logging.getLogger("threshold.web")

TITLE = "Something went wrong on our side"
MESSAGE = "Nothing you entered was lost. Please try again in a moment."


class LastResort(HttpLayer):
    """Logs the exception and answers 503 with the error page (or the API's error shape)."""

    #: Status of the answer: the usual cause is a dependency (Temporal, the database) failing.
    STATUS = 503

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # a streamed answer broke midway: nothing better can be sent
                raise
            await self._answer(scope)(scope, receive, send)

    def _answer(self, scope: Scope) -> Response:
        try:
            return problem(Request(scope), self.STATUS, MESSAGE, title=TITLE)
        except Exception:  # the error page itself failed (templates, services): plain text
            log.exception("the error page failed")
            return PlainTextResponse(MESSAGE, status_code=self.STATUS)

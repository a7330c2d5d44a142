"""Access logging without query strings: emailed links carry tokens there.

``threshold web`` turns uvicorn's access log off and uses this middleware instead, so a token in
``/j/…/link?token=…`` never reaches a log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("threshold.web.access")


async def log_access(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Log method, path (never the query), status and duration of each request."""
    started = time.perf_counter()
    response = await call_next(request)
    log.info(
        "%s %s %d %.1fms",
        request.method,
        request.url.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )
    return response

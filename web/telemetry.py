"""Web request metrics (Prometheus) and, with an OTLP endpoint, OpenTelemetry request spans.

Metrics are labelled by the route *template* (``/j/{journey}/{journey_id}``), never the raw path:
journey ids would explode cardinality and paths must not leak into labels. They are served on the
internal ``THRESHOLD_METRICS_PORT`` by ``threshold web``, never on the public app.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.responses import Response

from core.settings import Settings

REQUESTS = Counter("threshold_web_requests", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "threshold_web_request_seconds", "Time to answer an HTTP request", ["method", "route"]
)


async def count_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Count and time each request by method, route template and status."""
    started = time.perf_counter()
    response = await call_next(request)
    route = getattr(request.scope.get("route"), "path", "unmatched")
    LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    return response


def instrument(app: FastAPI, settings: Settings) -> None:
    """Request metrics always; OpenTelemetry spans when ``THRESHOLD_OTLP_ENDPOINT`` is set."""
    app.middleware("http")(count_requests)
    if settings.otlp_endpoint:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app)

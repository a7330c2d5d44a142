"""Web request metrics (Prometheus) and, with an OTLP endpoint, OpenTelemetry request spans.

Metrics are labelled by the route *template* (``/j/{journey}/{journey_id}``), never the raw path:
journey ids would explode cardinality and paths must not leak into labels. They are served on the
internal ``THRESHOLD_METRICS_PORT`` by ``threshold web``, never on the public app.
"""

from __future__ import annotations

import time

from fastapi import FastAPI
from prometheus_client import Counter, Histogram
from starlette.types import Message, Receive, Scope, Send

from core.settings import Settings
from web.asgi import HttpLayer

REQUESTS = Counter("threshold_web_requests", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "threshold_web_request_seconds", "Time to answer an HTTP request", ["method", "route"]
)


class RequestMetrics(HttpLayer):
    """Count and time each HTTP request by method, route template and status."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = str(scope.get("method", ""))
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
            REQUESTS.labels(method, route, str(status)).inc()


def instrument(app: FastAPI, settings: Settings) -> None:
    """Request metrics always; OpenTelemetry spans when ``THRESHOLD_OTLP_ENDPOINT`` is set."""
    app.add_middleware(RequestMetrics)
    if settings.otlp_endpoint:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app)

"""Telemetry for every process: traces, Prometheus metrics and structured logs, all opt-in.

* Traces: ``THRESHOLD_OTLP_ENDPOINT`` (an OTLP/HTTP traces URL) turns on OpenTelemetry export.
  Temporal's :class:`TracingInterceptor` on the client (and so on the workers built from it)
  carries the trace context from the web request through the workflow into its activities.
* Metrics: ``THRESHOLD_METRICS_PORT`` serves Prometheus ``/metrics`` on an internal port — the
  Temporal SDK runtime's own endpoint in a worker (task latencies, slots, polls, and the kit's
  ``threshold_journey_outcomes`` counter), ``prometheus_client``'s in the web process.
* Logs: ``THRESHOLD_JSON_LOGS=1`` writes one JSON object per line with the workflow and activity
  ids Temporal's loggers attach. Messages are ours and carry ids only, never emails or secrets.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from temporalio.client import Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.settings import Settings

#: Fields a JSON log line may carry from Temporal's ``extra`` (ids and types, no payloads).
TEMPORAL_FIELDS = ("workflow_id", "run_id", "workflow_type", "activity_id", "activity_type")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and Temporal ids."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for extra in ("temporal_workflow", "temporal_activity"):
            details = getattr(record, extra, None)
            if isinstance(details, dict):
                line.update({k: v for k, v in details.items() if k in TEMPORAL_FIELDS})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(settings: Settings, *, fallback_format: str) -> None:
    """Plain text logs by default, JSON lines with ``THRESHOLD_JSON_LOGS=1``."""
    handler = logging.StreamHandler()
    if settings.json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(fallback_format))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def tracer_provider(settings: Settings, service: str) -> TracerProvider | None:
    """An OTLP-exporting provider (installed globally) when an endpoint is configured."""
    if not settings.otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
    )
    trace.set_tracer_provider(provider)
    return provider


def interceptors(provider: trace.TracerProvider | None) -> list[Interceptor]:
    """Temporal client interceptors: tracing when a provider is given, else none."""
    if provider is None:
        return []
    return [TracingInterceptor(tracer=provider.get_tracer("threshold"))]


def client_interceptors(settings: Settings) -> list[Interceptor]:
    """Tracing on the global provider (set by :func:`tracer_provider`) when tracing is on."""
    return [TracingInterceptor()] if settings.otlp_endpoint else []


def runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving SDK metrics for Prometheus on the internal metrics port."""
    if not settings.metrics_port:
        return None
    bind = f"0.0.0.0:{settings.metrics_port}"  # internal: not published by docker-compose
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind)))

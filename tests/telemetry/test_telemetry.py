"""One trace from the web request through the workflow into its activities; metrics; JSON logs."""

from __future__ import annotations

import json
import logging
import urllib.request
import uuid

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import generate_latest
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from core.telemetry import JsonFormatter
from tests.support.browser import browser_for, sign_up
from tests.support.journeys import start_journey
from tests.support.mail import MailCatcher
from tests.support.net import free_port
from tests.support.settings import data_converter
from tests.support.temporal import running_worker, target_of
from tests.support.waiting import eventually
from web.app import create_app

PASSWORD = "violet-tractor-harbour"


async def test_one_trace_spans_web_workflow_and_activity(
    temporal_env: WorkflowEnvironment, settings: Settings, smtp_server: MailCatcher
) -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    traced = Client(
        temporal_env.client.service_client,
        namespace="default",
        data_converter=data_converter(),
        interceptors=[TracingInterceptor(tracer=provider.get_tracer("test"))],
    )
    app: FastAPI = create_app(settings, client=traced)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    email = f"trace-{uuid.uuid4().hex[:8]}@example.com"

    async with running_worker(traced, settings), browser_for(app) as browser:
        await sign_up(browser, email, PASSWORD)
        await smtp_server.wait_for(to=email)

        def finished() -> list[ReadableSpan]:
            return list(spans.get_finished_spans())

        async def traced_to_activity() -> tuple[ReadableSpan, list[ReadableSpan]]:
            done = finished()
            [web] = [s for s in done if s.name == "GET /j/{journey}" and s.parent is None]
            assert web.context is not None
            same = [s for s in done if s.context and s.context.trace_id == web.context.trace_id]
            names = {s.name for s in same}
            assert "RunActivity:verification.send_code" in names, sorted(names)
            return web, same

        web, same = await eventually(traced_to_activity)

    names = {s.name for s in same}
    assert any(n.startswith("StartUpdateWithStartWorkflow") for n in names), sorted(names)
    assert "RunWorkflow:registration" in names, sorted(names)
    assert "RunActivity:identity.stage_registration" in names, sorted(names)
    assert all(email not in json.dumps(dict(s.attributes or {})) for s in same)


async def test_web_requests_are_counted_by_route_template(
    settings: Settings, client: Client, smtp_server: MailCatcher
) -> None:
    async with (
        running_worker(client, settings),
        browser_for(create_app(settings, client=client)) as b,
    ):
        await b.open_journey()

    text = generate_latest().decode()
    assert 'route="/j/{journey}"' in text
    assert "registration-" not in text  # ids never become labels


async def test_worker_metrics_count_journey_outcomes(
    temporal_env: WorkflowEnvironment, settings: Settings
) -> None:
    port = free_port()
    runtime = Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}"))
    )
    metered = await Client.connect(
        target_of(temporal_env.client), data_converter=data_converter(), runtime=runtime
    )
    async with running_worker(metered, settings):
        run = await start_journey(metered, settings)
        await run.handle.execute_update(
            "support",
            {"action": "cancel", "staff_id": "staff-metrics"},
        )
        assert (await run.result()).kind == "cancelled"

    def scraped() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            body: str = answer.read().decode()
        return body

    async def counted() -> str:
        body = scraped()
        assert "threshold_journey_outcomes" in body
        return body

    body = await eventually(counted)
    line = next(x for x in body.splitlines() if x.startswith("threshold_journey_outcomes{"))
    assert 'journey="registration"' in line and 'outcome="cancelled"' in line
    assert 'step="sign-up"' in line


def test_json_logs_carry_workflow_ids_only() -> None:
    record = logging.LogRecord(
        "temporalio.workflow", logging.INFO, __file__, 1, "step done", (), None
    )
    record.temporal_workflow = {
        "workflow_id": "registration-1",
        "workflow_type": "registration",
        "run_id": "r1",
        "namespace": "default",
        "task_queue": "threshold",
    }

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "step done" and line["level"] == "INFO"
    assert line["workflow_id"] == "registration-1" and line["workflow_type"] == "registration"
    assert "task_queue" not in line and "namespace" not in line

"""The worker process: runs every journey and every activity on one task queue."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

import workers.activities
from core.codec import make_data_converter
from core.settings import Settings
from core.telemetry import client_interceptors, runtime
from journeys.catalog import all_workflows
from journeys.kit.runner import workflow_runner
from workers.activities.base import ACTIVITY_GROUPS

log = logging.getLogger("threshold.worker")

#: Workflow runs kept in memory between their tasks. Journeys mostly wait (for a screen, a link, a
#: grace period): a cached run costs the worker ~205 KiB while it waits (its sandboxed copies of
#: the journey modules), an evicted one nothing until its customer comes back, when its short
#: history is replayed. 300 keeps the customers active right now cached and bounds the worker near
#: 220 MiB however many journeys are parked (bench/parked.py; the SDK's default of 1,000 sat at
#: 400 MB with 4,000 parked).
MAX_CACHED_WORKFLOWS = 300


async def connect(settings: Settings) -> Client:
    """A Temporal client with our encrypting data converter."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=make_data_converter(settings.codec_keyring),
        interceptors=client_interceptors(settings),
        runtime=runtime(settings),
    )


def discover_activities() -> None:
    """Import every module of ``workers.activities`` so each activity group registers itself."""
    for module in pkgutil.iter_modules(workers.activities.__path__, prefix="workers.activities."):
        importlib.import_module(module.name)


def activities_for(settings: Settings) -> list[Any]:
    """Every activity of every registered group, bound to one instance of its group."""
    discover_activities()
    return [method for group in ACTIVITY_GROUPS for method in group(settings).activities()]


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    """A worker for all journeys; synchronous activities run on ``executor``."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=all_workflows(),
        activities=activities_for(settings),
        activity_executor=executor,
        workflow_runner=workflow_runner(),
        max_concurrent_activities=32,
        max_cached_workflows=MAX_CACHED_WORKFLOWS,
    )


async def run_worker(settings: Settings) -> None:
    """Connect and poll until cancelled (Ctrl-C / SIGTERM); in-flight activities finish first."""
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=32, thread_name_prefix="activity") as executor:
        worker = build_worker(client, settings, executor)
        log.info(
            "worker polling task queue %s on %s", settings.task_queue, settings.temporal_address
        )
        await worker.run()


def main(settings: Settings) -> None:
    """Entry point of ``threshold worker``."""
    asyncio.run(run_worker(settings))

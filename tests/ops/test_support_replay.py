"""``threshold support replay`` knows every registered workflow, background ones included.

Before the one registry, the replayer had its own hand-kept list, which missed the ``profile`` and
``webhook-delivery`` workflows; now it reads :func:`journeys.catalog.all_workflows`.
"""

from __future__ import annotations

import uuid

from temporalio.client import Client
from temporalio.worker import Worker

from contracts.profiling import EVENT_SIGNAL, WORKFLOW, ProductEvent, ProfileState, profile_id
from journeys.catalog import all_workflows
from ops.support.replay import replay
from tests.support.waiting import eventually


def test_the_replayer_reads_the_one_registry() -> None:
    names = {getattr(cls, "__temporal_workflow_definition").name for cls in all_workflows()}
    assert {"registration", "login", "profile", "webhook-delivery", "consent-change"} <= names


async def test_a_background_workflow_replays_cleanly(client: Client, worker: Worker) -> None:
    customer_id = str(uuid.uuid4())
    handle = await client.start_workflow(
        WORKFLOW,
        ProfileState(customer_id=customer_id),
        id=profile_id(customer_id),
        task_queue=worker.task_queue,
        start_signal=EVENT_SIGNAL,
        start_signal_args=[ProductEvent(event_id="e1", type="purchase")],
    )

    async def counted() -> None:
        state = await handle.query("state", result_type=ProfileState)
        assert state.progress is not None and state.progress.events == {"purchase": 1}

    await eventually(counted)
    report = await replay(client, handle.id)
    assert report.ok, report.describe()
    await handle.terminate()

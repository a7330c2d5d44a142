"""``run_activity``: a local activity's failure reaches the journey exactly as a normal one's.

Journeys branch on ``ActivityError`` with an ``ApplicationError`` cause (e.g. a refused passkey).
A local activity's failure arrives unwrapped from the SDK, so the kit wraps it: declaring an
activity local must never change how a journey handles its refusals.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

from contracts.activity import ActivityRef
from journeys.kit.activities import run_activity


class Ask(BaseModel):
    """Whether the test activity should refuse."""

    refuse: bool


REFUSE = "TEST_REFUSED"


@activity.defn(name="test.maybe_refuse")
def maybe_refuse(ask: Ask) -> str:
    if ask.refuse:
        raise ApplicationError("refused on purpose", type=REFUSE, non_retryable=True)
    return "done"


@workflow.defn(name="test-run-activity", sandboxed=False)
class Caller:
    @workflow.run
    async def run(self, local: bool) -> list[str]:
        ref = ActivityRef("test.maybe_refuse", Ask, str, local=local)
        seen = [await run_activity(ref, Ask(refuse=False))]
        try:
            await run_activity(ref, Ask(refuse=True))
        except ActivityError as err:
            cause = err.cause
            seen.append(cause.type if isinstance(cause, ApplicationError) else repr(cause))
        return seen


@pytest.mark.parametrize("local", [False, True])
async def test_a_refusal_is_an_activity_error_with_its_type(client: Client, local: bool) -> None:
    queue = f"kit-activities-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with Worker(
            client,
            task_queue=queue,
            workflows=[Caller],
            activities=[maybe_refuse],
            activity_executor=executor,
        ):
            seen = await client.execute_workflow(
                Caller.run, local, id=f"kit-activities-{uuid.uuid4()}", task_queue=queue
            )
    assert seen == ["done", REFUSE]

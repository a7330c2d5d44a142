"""Replay a live journey's history against the code in this checkout, locally.

The "exact replay of a stuck journey": fetch the history from Temporal, decrypt it with the
deployment's codec, and run it through the same sandboxed runner the workers use. A nondeterminism
error means the code here can no longer continue that journey (see docs/operations.md on
``workflow.patched``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Replayer

from journeys.catalog import all_workflows
from journeys.kit.runner import workflow_runner


@dataclass(frozen=True)
class ReplayReport:
    """What the replay found; ``nondeterministic`` is the case operators care about."""

    workflow_id: str
    run_id: str
    events: int
    failure: str
    nondeterministic: bool

    @property
    def ok(self) -> bool:
        """True when the current code replays the whole history."""
        return not self.failure

    def describe(self) -> str:
        """A human summary for the CLI."""
        head = f"{self.workflow_id} (run {self.run_id}, {self.events} events): "
        if self.ok:
            return head + "replays cleanly against the current code."
        if self.nondeterministic:
            return head + f"NONDETERMINISM — the current code diverges from history: {self.failure}"
        return head + f"replay failed: {self.failure}"


async def replay(
    client: Client,
    workflow_id: str,
    *,
    run_id: str | None = None,
    workflows: Sequence[type] | None = None,
) -> ReplayReport:
    """Replay ``workflow_id`` (its latest run unless ``run_id``) against every registered
    workflow's code (journeys and background workflows alike)."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    history = await handle.fetch_history()
    replayer = Replayer(
        workflows=list(workflows) if workflows is not None else all_workflows(),
        data_converter=client.data_converter,
        workflow_runner=workflow_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    failure = result.replay_failure
    return ReplayReport(
        workflow_id=workflow_id,
        run_id=history.run_id,
        events=len(history.events),
        failure="" if failure is None else str(failure),
        nondeterministic=isinstance(failure, workflow.NondeterminismError),
    )

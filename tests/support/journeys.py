"""Drive a journey through the Temporal client exactly as the web layer does, minus HTTP.

``start_journey`` is update-with-start of ``open``; :class:`JourneyRun` sends ``submit`` and
``deliver`` updates and seals every secret field the way the web layer must before anything reaches
the workflow, so tests also prove that sealed values are what the workers expect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle, WorkflowHistory
from temporalio.common import WorkflowIDConflictPolicy

from core.security.sealing import Sealer
from core.settings import Settings
from journeys.kit import EventEnvelope, JourneyStart, Outcome, ScreenView, Sealed, Submission


def sealer_for(settings: Settings) -> Sealer:
    """The sealer the web layer and the workers of ``settings``' deployment share."""
    return Sealer(settings.derive_key("sealing"))


@dataclass
class JourneyRun:
    """One started journey and the screen it shows now."""

    client: Client
    settings: Settings
    handle: WorkflowHandle[Any, Outcome]
    view: ScreenView
    sealer: Sealer = field(init=False)

    def __post_init__(self) -> None:
        self.sealer = sealer_for(self.settings)

    @property
    def id(self) -> str:
        """The workflow id (also the journey id the activities key their rows by)."""
        return self.handle.id

    def seal(self, value: str, *, field: str) -> Sealed:
        """Seal ``value`` for this journey's ``field``."""
        return self.sealer.seal(value, journey_id=self.id, field=field)

    def submission(self, action: str = "submit", **values: str | bool | Sealed) -> Submission:
        """A submission of the current screen; plain values of secret fields are sealed."""
        secret = {f.name for f in self.view.fields if f.secret}
        wire: dict[str, str | bool | Sealed] = {}
        for name, value in values.items():
            if name in secret and isinstance(value, str):
                wire[name] = self.seal(value, field=name)
            else:
                wire[name] = value
        return Submission(screen=self.view.screen, seq=self.view.seq, action=action, values=wire)

    async def send(self, submission: Submission) -> ScreenView:
        """Send one ``submit`` update and remember the screen it returns."""
        self.view = await self.handle.execute_update("submit", submission, result_type=ScreenView)
        return self.view

    async def submit(self, action: str = "submit", **values: str | bool | Sealed) -> ScreenView:
        """Fill in the current screen and press ``action``."""
        return await self.send(self.submission(action, **values))

    async def deliver(self, name: str, **data: Any) -> ScreenView:
        """Deliver an out-of-band event (e.g. ``EmailLinkClicked``) and remember the next screen."""
        envelope = EventEnvelope(name=name, data=data)
        self.view = await self.handle.execute_update("deliver", envelope, result_type=ScreenView)
        return self.view

    async def click_link(self, token: str) -> ScreenView:
        """What the web layer does when the emailed link is opened: seal the token and deliver."""
        return await self.deliver("EmailLinkClicked", token=self.seal(token, field="token"))

    async def current(self) -> ScreenView | None:
        """The ``view`` query: the screen the customer should see now."""
        view: ScreenView | None = await self.handle.query("view", result_type=ScreenView)
        return view

    async def result(self) -> Outcome:
        """Wait for the journey's outcome."""
        return await self.handle.result()

    async def history(self) -> WorkflowHistory:
        """The journey's full event history (payloads still encrypted)."""
        return await self.handle.fetch_history()

    async def history_length(self) -> int:
        """How many events the history holds now."""
        return len((await self.history()).events)


async def start_journey(
    client: Client,
    settings: Settings,
    journey: str = "registration",
    start: JourneyStart | None = None,
    *,
    journey_id: str | None = None,
) -> JourneyRun:
    """Start ``journey`` on ``settings.task_queue`` and return it showing its first screen."""
    workflow_id = journey_id or f"{journey}-{uuid.uuid4()}"
    operation: WithStartWorkflowOperation[Any, Outcome] = WithStartWorkflowOperation(
        journey,
        start or JourneyStart(),
        id=workflow_id,
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        result_type=Outcome,
    )
    view = await client.execute_update_with_start_workflow(
        "open", start_workflow_operation=operation, result_type=ScreenView
    )
    handle = await operation.workflow_handle()
    return JourneyRun(client=client, settings=settings, handle=handle, view=view)

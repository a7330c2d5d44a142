"""The generic journey routes' calls: start a journey, read its screen, submit, deliver.

Failures come back as :class:`Rejected` with the kit's error code (``err.cause.type``), never by
matching message text, or as :class:`JourneyNotFound` for ids that do not exist (or no longer do).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from journeys.kit import EventEnvelope, JourneyStart, Outcome, ScreenView, Submission
from web.gateway.base import GatewayBase, started_journey


class JourneyNotFound(Exception):
    """No such journey (never existed, or its history was deleted after retention)."""


class Rejected(Exception):
    """The journey refused a submission or event; ``code`` is an :class:`ErrorCode` value."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class Screens(GatewayBase):
    """A journey's screens, each remembered by ``seq`` so re-rendering one needs no query."""

    VIEW_CACHE_SIZE = 2048

    def __init__(self, client: Client, task_queue: str) -> None:
        super().__init__(client, task_queue)
        self._views: OrderedDict[tuple[str, int], ScreenView] = OrderedDict()

    async def start(self, journey: str, start: JourneyStart) -> tuple[str, ScreenView]:
        """Start a journey and get its first screen in one round-trip (update-with-start)."""
        journey_id = f"{journey}-{uuid.uuid4()}"
        operation: WithStartWorkflowOperation[Any, Outcome] = WithStartWorkflowOperation(
            journey,
            start,
            id=journey_id,
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=started_journey(journey),
            static_summary=f"{journey} journey",
            static_details="Customer identity journey started from the web.",
            result_type=Outcome,
        )
        view = await self.client.execute_update_with_start_workflow(
            "open", start_workflow_operation=operation, result_type=ScreenView
        )
        return journey_id, self._remember(journey_id, view)

    async def view(self, journey_id: str, *, seq: int | None = None) -> ScreenView:
        """The current screen (from cache when the caller names the ``seq`` it rendered)."""
        if seq is not None and (cached := self._views.get((journey_id, seq))) is not None:
            return cached
        handle = self.client.get_workflow_handle(journey_id)
        try:
            view = await handle.query("view", result_type=ScreenView)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise JourneyNotFound(journey_id) from err
            raise
        except WorkflowQueryFailedError as err:
            raise JourneyNotFound(journey_id) from err
        if view is None:
            raise JourneyNotFound(journey_id)
        return self._remember(journey_id, view)

    async def submit(self, journey_id: str, submission: Submission) -> ScreenView:
        """Send one form post; returns the next screen."""
        return await self._update(journey_id, "submit", submission)

    async def deliver(self, journey_id: str, event: EventEnvelope) -> ScreenView:
        """Send an out-of-band event; returns the next screen."""
        return await self._update(journey_id, "deliver", event)

    async def _update(self, journey_id: str, name: str, arg: object) -> ScreenView:
        handle = self.client.get_workflow_handle(journey_id)
        try:
            view = await handle.execute_update(name, arg, result_type=ScreenView)
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError):
                details = cause.details[0] if cause.details else {}
                raise Rejected(
                    cause.type or "", cause.message, details if isinstance(details, dict) else {}
                ) from err
            raise
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                # Unknown id, or the journey already finished: the final view tells which.
                raise JourneyNotFound(journey_id) from err
            raise
        return self._remember(journey_id, view)

    def _remember(self, journey_id: str, view: ScreenView) -> ScreenView:
        self._views[(journey_id, view.seq)] = view
        while len(self._views) > self.VIEW_CACHE_SIZE:
            self._views.popitem(last=False)
        return view

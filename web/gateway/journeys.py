"""The web layer's only door into Temporal: start a journey, read its screen, submit, deliver.

Failures come back as :class:`Rejected` with the kit's error code (``err.cause.type``), never by
matching message text, or as :class:`JourneyNotFound` for ids that do not exist (or no longer do).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contracts.consent import CONSENT_CHANGE_WORKFLOW, RecordConsents
from contracts.deprovisioning import ACKNOWLEDGE_SIGNAL, deprovisioning_id
from contracts.profiling import (
    EDIT_UPDATE,
    EVENT_SIGNAL,
    ProductEvent,
    ProfileEdit,
    ProfileState,
    profile_id,
)
from contracts.profiling import WORKFLOW as PROFILE_WORKFLOW
from journeys.catalog import by_name
from journeys.kit import EventEnvelope, Journey, JourneyStart, Outcome, ScreenView, Submission
from journeys.kit.search import JOURNEY_NAME, JOURNEY_STATUS


class JourneyNotFound(Exception):
    """No such journey (never existed, or its history was deleted after retention)."""


class Rejected(Exception):
    """The journey refused a submission or event; ``code`` is an :class:`ErrorCode` value."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class JourneyGateway:
    """Thin typed wrapper over the Temporal client for the generic journey routes."""

    VIEW_CACHE_SIZE = 2048

    def __init__(self, client: Client, task_queue: str) -> None:
        self.client = client
        self.task_queue = task_queue
        self._views: OrderedDict[tuple[str, int], ScreenView] = OrderedDict()

    @staticmethod
    def known(journey: str) -> bool:
        """Whether ``journey`` names a registered journey."""
        return journey in by_name()

    @staticmethod
    def startable(journey: str) -> type[Journey] | None:
        """The journey class the web may start at ``/j/<journey>``, or None (unknown/internal)."""
        declared = by_name().get(journey)
        return declared if declared is not None and declared.entry != "internal" else None

    @staticmethod
    def account_links() -> list[tuple[str, str]]:
        """(URL, label) of every signed-in journey that declares an account-page link."""
        return sorted(
            (f"/j/{name}", cls.account_link)
            for name, cls in by_name().items()
            if cls.entry == "signed_in" and cls.account_link
        )

    async def start(self, journey: str, start: JourneyStart) -> tuple[str, ScreenView]:
        """Start a journey and get its first screen in one round-trip (update-with-start)."""
        journey_id = f"{journey}-{uuid.uuid4()}"
        operation: WithStartWorkflowOperation[Any, Outcome] = WithStartWorkflowOperation(
            journey,
            start,
            id=journey_id,
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(JOURNEY_NAME, journey),
                    SearchAttributePair(JOURNEY_STATUS, "active"),
                ]
            ),
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

    async def start_export(self, start: JourneyStart) -> str:
        """Start an ``export`` journey (it emails its download link); its id."""
        journey_id = f"export-{uuid.uuid4()}"
        await self.client.start_workflow(
            "export",
            start,
            id=journey_id,
            task_queue=self.task_queue,
            result_type=Outcome,
            static_summary="export journey",
        )
        return journey_id

    async def change_consents(self, request: RecordConsents) -> int:
        """Record one consent decision and announce it; the number of records written."""
        written: int = await self.client.execute_workflow(
            CONSENT_CHANGE_WORKFLOW,
            request,
            id=request.journey_id,
            task_queue=self.task_queue,
            result_type=int,
        )
        return written

    async def acknowledge_erasure(self, customer_id: str, subscription_id: str) -> bool:
        """Hand a connected system's acknowledgement to the deprovisioning; False if it ended."""
        handle = self.client.get_workflow_handle(deprovisioning_id(customer_id))
        try:
            await handle.signal(ACKNOWLEDGE_SIGNAL, subscription_id)
        except RPCError:
            return False
        return True

    async def ping(self, timeout: timedelta) -> None:
        """Reach the Temporal frontend (health checks); raises if it does not answer in time."""
        await self.client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=timeout)

    async def count_product_event(self, customer_id: str, event: ProductEvent) -> None:
        """Count a business event in the customer's ``profile`` workflow, starting it if needed."""
        await self.client.start_workflow(
            PROFILE_WORKFLOW,
            ProfileState(customer_id=customer_id),
            id=profile_id(customer_id),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal=EVENT_SIGNAL,
            start_signal_args=[event],
        )

    async def edit_profile(self, customer_id: str, edit: ProfileEdit) -> list[str]:
        """Save profile fields through the customer's ``profile`` workflow; the names written."""
        operation: WithStartWorkflowOperation[Any, None] = WithStartWorkflowOperation(
            PROFILE_WORKFLOW,
            ProfileState(customer_id=customer_id),
            id=profile_id(customer_id),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        saved: list[str] = await self.client.execute_update_with_start_workflow(
            EDIT_UPDATE,
            edit,
            id=edit.edit_id,
            start_workflow_operation=operation,
            result_type=list[str],
        )
        return saved

    def _remember(self, journey_id: str, view: ScreenView) -> ScreenView:
        self._views[(journey_id, view.seq)] = view
        while len(self._views) > self.VIEW_CACHE_SIZE:
            self._views.popitem(last=False)
        return view

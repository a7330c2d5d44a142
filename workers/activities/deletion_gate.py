"""Activities of the sign-in deletion gate: is a deletion scheduled, and cancel it.

Cancelling goes through the deprovisioning journey (its ``deliver`` update), never by writing the
status here: the journey owns the grace period and restores the account itself. The update returns
once the journey has restored the account, so the sign-in continues with an active account; a
journey that already finished or is past its grace period answers "too late" (non-retryable).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from core.settings import Settings
from journeys.deprovisioning import DeletionDecision, deprovisioning_id
from journeys.kit import EventEnvelope, ScreenView
from store.deprovisioning_models import DeletionRequest
from workers.activities.base import ActivityGroup


class PendingDeletion(BaseModel):
    """Which customer signs in."""

    customer_id: str


class DeletionScheduled(BaseModel):
    """When the account will be erased; ``None`` when no deletion is scheduled."""

    scheduled_for: datetime | None = None


class DeletionGateActivities(ActivityGroup):
    """Reads the scheduled deletion and cancels it through its journey."""

    @activity.defn(name="deletion_gate.pending")
    def pending(self, request: PendingDeletion) -> DeletionScheduled:
        """The scheduled date, if the customer is in a grace period."""
        with self.db() as session:
            row = session.get(DeletionRequest, request.customer_id)
            return DeletionScheduled(scheduled_for=row.scheduled_for if row else None)

    @activity.defn(name="deletion_gate.keep")
    async def keep(self, request: PendingDeletion) -> None:
        """Ask the deprovisioning journey to cancel; returns once the account is restored."""
        handle = activity.client().get_workflow_handle(deprovisioning_id(request.customer_id))
        envelope = EventEnvelope(
            name=DeletionDecision.event_name(), data=DeletionDecision(keep=True).model_dump()
        )
        try:
            await handle.execute_update("deliver", envelope, result_type=ScreenView)
        except (WorkflowUpdateFailedError, RPCError) as err:
            raise ApplicationError(
                "The deletion can no longer be cancelled.", type="TooLate", non_retryable=True
            ) from err


def deletion_gate_activities(settings: Settings) -> list[object]:
    """The group's activities, bound to one instance (for the worker's list)."""
    group = DeletionGateActivities(settings)
    return [group.pending, group.keep]

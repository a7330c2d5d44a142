"""Activities of the sign-in deletion gate: is a deletion scheduled, and cancel it.

Cancelling goes through the deprovisioning journey (its ``deliver`` update), never by writing the
status here: the journey owns the grace period and restores the account itself. The update returns
once the journey has restored the account, so the sign-in continues with an active account; a
journey that already finished or is past its grace period answers "too late" (non-retryable).
"""

from __future__ import annotations

from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from contracts.deletion_gate import DeletionGateActivities, DeletionScheduled, PendingDeletion
from contracts.deprovisioning import DeletionDecision, deprovisioning_id
from contracts.journey import DELIVER_UPDATE, EventEnvelope
from contracts.screens import ScreenView
from store.deprovisioning_models import DeletionRequest
from workers.activities.base import ActivityGroup, implements, implements_async


class DeletionGateActivitiesImpl(ActivityGroup):
    """Reads the scheduled deletion and cancels it through its journey."""

    @implements(DeletionGateActivities.pending)
    def pending(self, request: PendingDeletion) -> DeletionScheduled:
        """The scheduled date, if the customer is in a grace period."""
        with self.db() as session:
            row = session.get(DeletionRequest, request.customer_id)
            return DeletionScheduled(scheduled_for=row.scheduled_for if row else None)

    @implements_async(DeletionGateActivities.keep)
    async def keep(self, request: PendingDeletion) -> None:
        """Ask the deprovisioning journey to cancel; returns once the account is restored."""
        handle = activity.client().get_workflow_handle(deprovisioning_id(request.customer_id))
        envelope = EventEnvelope(
            name=DeletionDecision.event_name(), data=DeletionDecision(keep=True).model_dump()
        )
        try:
            await handle.execute_update(DELIVER_UPDATE, envelope, result_type=ScreenView)
        except (WorkflowUpdateFailedError, RPCError) as err:
            raise ApplicationError(
                "The deletion can no longer be cancelled.", type="TooLate", non_retryable=True
            ) from err

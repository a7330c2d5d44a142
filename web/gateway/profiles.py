"""The customer's long-lived ``profile`` workflow: product events counted, fields edited.

Both start the workflow when it is not running yet (one per customer, ``profile_id``), so the
first event or edit needs no separate setup.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from contracts.profiling import (
    EDIT_UPDATE,
    EVENT_SIGNAL,
    ProductEvent,
    ProfileEdit,
    ProfileState,
    profile_id,
)
from contracts.profiling import WORKFLOW as PROFILE_WORKFLOW
from web.gateway.base import GatewayBase


class Profiles(GatewayBase):
    """Signals and updates to a customer's ``profile`` workflow."""

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

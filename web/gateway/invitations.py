"""SCIM's invitations: the one ``invitation`` journey per provisioned customer, started or stopped.

Both are idempotent: a retried SCIM write finds the running invitation (workflow id per customer)
and a deprovisioned customer's unfinished invitation is terminated, never left waiting.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from journeys.invitation import InvitationStart
from web.gateway.base import started_journey

INVITATION = "invitation"


def invitation_id(customer_id: str) -> str:
    """The invitation journey's workflow id: one per customer, so retries never duplicate it."""
    return f"{INVITATION}-{customer_id}"


async def start_invitation(client: Client, *, task_queue: str, customer_id: str) -> None:
    """Start the invitation journey (at most once per customer)."""
    try:
        await client.start_workflow(
            INVITATION,
            InvitationStart(customer_id=customer_id),
            id=invitation_id(customer_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=started_journey(INVITATION, customer_id=customer_id),
            static_summary="invitation journey",
            static_details="Started by a SCIM provisioning client creating this customer.",
        )
    except WorkflowAlreadyStartedError:
        return


async def stop_invitation(client: Client, customer_id: str) -> None:
    """Terminate the customer's invitation if it is still waiting."""
    handle = client.get_workflow_handle(invitation_id(customer_id))
    try:
        description = await handle.describe()
        if description.status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate(reason="The customer was deprovisioned.")
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise

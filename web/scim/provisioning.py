"""What a SCIM write means for the customer: an invitation, a suspension, or deprovisioning.

:meth:`Provisioning.deprovision` is the one place ``DELETE /Users/{id}`` goes through. It suspends
the customer and removes the SCIM resource at once (the client sees the User gone), then starts the
deprovisioning journey with no grace period, which asks connected systems to erase too and erases
the personal data (see ``journeys/deprovisioning.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import delete
from sqlmodel import col
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from journeys.invitation import InvitationStart
from journeys.kit.search import CUSTOMER_ID, JOURNEY_NAME, JOURNEY_STATUS
from store.customer_lifecycle import revoke_sessions, suspend
from store.db import session_for
from store.models import Customer
from web.deletion.starter import start_immediate_deprovisioning
from web.scim.directory import Directory

log = logging.getLogger("threshold.scim")

INVITATION = "invitation"


def invitation_id(customer_id: str) -> str:
    """The invitation journey's workflow id: one per customer, so retries never duplicate it."""
    return f"{INVITATION}-{customer_id}"


class Provisioning:
    """Customer lifecycle effects of SCIM writes for one deployment."""

    def __init__(
        self,
        directory: Directory,
        task_queue: str,
        client: Callable[[], Awaitable[Client]],
        ack_deadline_days: int = 7,
    ) -> None:
        self.directory = directory
        self.ack_deadline_days = ack_deadline_days
        self.task_queue = task_queue
        self.client = client

    async def invite(self, customer_id: str) -> None:
        """Start the invitation journey (at most once per customer)."""
        client = await self.client()
        try:
            await client.start_workflow(
                INVITATION,
                InvitationStart(customer_id=customer_id),
                id=invitation_id(customer_id),
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(JOURNEY_NAME, INVITATION),
                        SearchAttributePair(JOURNEY_STATUS, "active"),
                        SearchAttributePair(CUSTOMER_ID, customer_id),
                    ]
                ),
                static_summary="invitation journey",
                static_details="Started by a SCIM provisioning client creating this customer.",
            )
        except WorkflowAlreadyStartedError:
            return

    async def suspended(self, customer_id: str) -> None:
        """``active`` went false: the customer's status changed in the write; end every session."""
        await asyncio.to_thread(self._revoke, customer_id)

    async def deprovision(self, customer_id: str) -> None:
        """Deprovision with no grace period (see the module docstring)."""
        await asyncio.to_thread(self._erase, customer_id)
        await self._stop_invitation(customer_id)
        await start_immediate_deprovisioning(
            await self.client(),
            task_queue=self.task_queue,
            customer_id=customer_id,
            ack_deadline_days=self.ack_deadline_days,
            requested_by="scim",
        )

    def forget(self, customer_id: str) -> None:
        """Undo a User whose invitation could not be started, so the client can simply retry."""
        with session_for(self.directory.database_url) as db:
            self.directory.erase(db, customer_id)
            db.execute(delete(Customer).where(col(Customer.id) == customer_id))

    def _revoke(self, customer_id: str) -> None:
        with session_for(self.directory.database_url) as db:
            revoke_sessions(db, customer_id)

    def _erase(self, customer_id: str) -> None:
        with session_for(self.directory.database_url) as db:
            suspend(db, customer_id)
            self.directory.erase(db, customer_id)

    async def _stop_invitation(self, customer_id: str) -> None:
        handle = (await self.client()).get_workflow_handle(invitation_id(customer_id))
        try:
            description = await handle.describe()
            if description.status == WorkflowExecutionStatus.RUNNING:
                await handle.terminate(reason="The customer was deprovisioned.")
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise

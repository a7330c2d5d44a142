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
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import col

from store.customer_lifecycle import revoke_sessions, suspend
from store.db import session_for
from store.models import Customer
from web.gateway.deletion import start_immediate_deprovisioning
from web.gateway.invitations import start_invitation, stop_invitation
from web.scim.directory import Directory

if TYPE_CHECKING:  # the client is only handed through to the gateway
    from temporalio.client import Client

log = logging.getLogger("threshold.scim")


class Provisioning:
    """Customer lifecycle effects of SCIM writes for one deployment."""

    def __init__(
        self,
        directory: Directory,
        task_queue: str,
        client: Callable[[], Awaitable[Client]],
        ack_deadline: timedelta = timedelta(days=7),
    ) -> None:
        self.directory = directory
        self.ack_deadline = ack_deadline
        self.task_queue = task_queue
        self.client = client

    async def invite(self, customer_id: str) -> None:
        """Start the invitation journey (at most once per customer)."""
        await start_invitation(
            await self.client(), task_queue=self.task_queue, customer_id=customer_id
        )

    async def suspended(self, customer_id: str) -> None:
        """``active`` went false: the customer's status changed in the write; end every session."""
        await asyncio.to_thread(self._revoke, customer_id)

    async def deprovision(self, customer_id: str) -> None:
        """Deprovision with no grace period (see the module docstring)."""
        await asyncio.to_thread(self._erase, customer_id)
        await stop_invitation(await self.client(), customer_id)
        await start_immediate_deprovisioning(
            await self.client(),
            task_queue=self.task_queue,
            customer_id=customer_id,
            ack_deadline=self.ack_deadline,
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

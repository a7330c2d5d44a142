"""A signed-in customer's data requests: an export, a consent decision, an erasure acknowledged."""

from __future__ import annotations

import uuid

from temporalio.service import RPCError

from contracts.consent import CONSENT_CHANGE_WORKFLOW, RecordConsents
from contracts.deprovisioning import ACKNOWLEDGE_SIGNAL, deprovisioning_id
from journeys.kit import JourneyStart, Outcome
from web.gateway.base import GatewayBase


class AccountData(GatewayBase):
    """Workflows a customer's account page or a connected system asks for, without screens."""

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

"""What every part of the journey gateway shares: the Temporal client, the task queue, and the
search attributes a journey starts with."""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from journeys.kit.search import CUSTOMER_ID, JOURNEY_NAME, JOURNEY_STATUS


class GatewayBase:
    """The connection the gateway's parts (:mod:`web.gateway.journeys`) start workflows on."""

    def __init__(self, client: Client, task_queue: str) -> None:
        self.client = client
        self.task_queue = task_queue

    async def ping(self, timeout: timedelta) -> None:
        """Reach the Temporal frontend (health checks); raises if it does not answer in time."""
        await self.client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=timeout)


def started_journey(journey: str, *, customer_id: str | None = None) -> TypedSearchAttributes:
    """The search attributes of a journey that just started (support filters on them)."""
    pairs = [
        SearchAttributePair(JOURNEY_NAME, journey),
        SearchAttributePair(JOURNEY_STATUS, "active"),
    ]
    if customer_id is not None:
        pairs.append(SearchAttributePair(CUSTOMER_ID, customer_id))
    return TypedSearchAttributes(pairs)

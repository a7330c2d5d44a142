"""Find a customer's journeys by email and act on them, for the CLI and ``/support`` alike.

The email never reaches Temporal: we compute its ``EmailLookup`` keyed hash and query visibility
by that. Actions are the kit's generic ``support`` update, carrying the staff member's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contracts.support import SupportReply, SupportRequest
from core.security.hashing import email_lookup
from core.settings import Settings
from journeys.kit import normalize_email
from journeys.kit.search import EMAIL_LOOKUP, JOURNEY_NAME, JOURNEY_STATUS, JOURNEY_STEP

MAX_RESULTS = 100


@dataclass(frozen=True)
class JourneySummary:
    """One journey as support sees it: no personal data, a link into the Temporal UI."""

    workflow_id: str
    run_id: str
    journey: str
    step: str
    status: str
    execution: str
    started_at: datetime
    ui_url: str

    def age(self, now: datetime | None = None) -> str:
        """How long ago it started, e.g. ``3d 4h`` or ``12m``."""
        delta = (now or datetime.now(UTC)) - self.started_at
        return _human(delta)


class SupportActionFailed(Exception):
    """The journey refused the action (finished, unsupported, busy) or does not exist."""


def lookup_for(settings: Settings, email: str) -> str:
    """The ``EmailLookup`` value of ``email`` (``ValueError`` if it is not an email)."""
    return email_lookup(settings.derive_key("email-lookup"), normalize_email(email))


def ui_link(settings: Settings, workflow_id: str, run_id: str) -> str:
    """The journey's page in the Temporal Web UI."""
    base = settings.temporal_ui_url.rstrip("/")
    namespace = quote(settings.temporal_namespace, safe="")
    return f"{base}/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}/{run_id}/history"


async def find_journeys(client: Client, settings: Settings, email: str) -> list[JourneySummary]:
    """The customer's journeys, newest first."""
    query = f"{EMAIL_LOOKUP.name} = '{lookup_for(settings, email)}'"
    found: list[JourneySummary] = []
    async for execution in client.list_workflows(query, limit=MAX_RESULTS):
        attributes = execution.typed_search_attributes
        found.append(
            JourneySummary(
                workflow_id=execution.id,
                run_id=execution.run_id,
                journey=attributes.get(JOURNEY_NAME) or execution.workflow_type,
                step=attributes.get(JOURNEY_STEP) or "",
                status=attributes.get(JOURNEY_STATUS) or "",
                execution=execution.status.name.lower() if execution.status else "unknown",
                started_at=execution.start_time,
                ui_url=ui_link(settings, execution.id, execution.run_id),
            )
        )
    return sorted(found, key=lambda j: j.started_at, reverse=True)


async def act(client: Client, workflow_id: str, request: SupportRequest) -> SupportReply:
    """Send the ``support`` update; :class:`SupportActionFailed` says why it was refused."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        reply: SupportReply = await handle.execute_update(
            "support", request, result_type=SupportReply
        )
        return reply
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause)
        raise SupportActionFailed(message) from err
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            message = "No running journey has this id (it may have finished)."
            raise SupportActionFailed(message) from err
        raise


def _human(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"

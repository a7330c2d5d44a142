"""Progressive-profiling activities: ask the profile workflow what is due, store the answers.

``profiling.next`` is how the login journey reaches the customer's ``profile`` workflow: a workflow
cannot send another workflow an update, so this activity does it with update-with-start (the
profile is created at the first sign-in). The update id is derived from the login journey's id,
so a retried activity is answered from the first attempt instead of counting the sign-in twice.
A rule whose fields are all stored already is settled as answered rather than asked.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select
from temporalio import activity
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from contracts.profiling import (
    PROFILE_SCHEMA_VERSION,
    SETTLE_SIGNAL,
    SIGN_IN_UPDATE,
    Interstitial,
    NextInterstitial,
    ProfileState,
    ProfilingActivities,
    SaveProfile,
    Settled,
    SignIn,
    profile_id,
)
from contracts.profiling import WORKFLOW as PROFILE_WORKFLOW
from store.models import utcnow
from store.profile_models import ProfileField
from workers.activities.base import ActivityGroup, implements, implements_async


class ProfilingActivitiesImpl(ActivityGroup):
    """Talks to profile workflows and writes ``profile_fields``."""

    @implements_async(ProfilingActivities.next)
    async def next(self, request: NextInterstitial) -> Interstitial:
        """Count the sign-in in the customer's profile workflow; the rule due now, if any."""
        workflow_id = profile_id(request.customer_id)
        start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
            PROFILE_WORKFLOW,
            ProfileState(customer_id=request.customer_id),
            id=workflow_id,
            task_queue=self.settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        client = activity.client()
        due: Interstitial = await client.execute_update_with_start_workflow(
            SIGN_IN_UPDATE,
            SignIn(journey_id=request.journey_id),
            id=f"{request.journey_id}:sign-in",
            start_workflow_operation=start,
            result_type=Interstitial,
        )
        if not due.rule or not await asyncio.to_thread(self._known, request.customer_id, due):
            return due
        # Already collected (e.g. edited on the account page): settle it instead of asking.
        await client.get_workflow_handle(workflow_id).signal(
            SETTLE_SIGNAL, Settled(rule=due.rule, answered=True)
        )
        return Interstitial()

    def _known(self, customer_id: str, due: Interstitial) -> bool:
        """Whether every field the due rule's screen collects already has a stored value."""
        wanted = set(due.fields)
        with self.db() as session:
            stored = session.exec(
                select(ProfileField.name).where(ProfileField.customer_id == customer_id)
            ).all()
        return wanted <= set(stored)

    @implements(ProfilingActivities.save)
    def save(self, request: SaveProfile) -> list[str]:
        """Write each value (the newest wins); returns the names written. Idempotent."""
        with self.db() as session:
            existing = {
                row.name: row
                for row in session.exec(
                    select(ProfileField).where(ProfileField.customer_id == request.customer_id)
                )
            }
            for name, value in sorted(request.values.items()):
                row = existing.get(name) or ProfileField(
                    customer_id=request.customer_id,
                    name=name,
                    value=value,
                    schema_version=PROFILE_SCHEMA_VERSION,
                    source=request.source,
                )
                row.value, row.source = value, request.source
                row.schema_version, row.updated_at = PROFILE_SCHEMA_VERSION, utcnow()
                session.add(row)
        return sorted(request.values)

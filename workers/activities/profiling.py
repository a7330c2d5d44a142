"""Progressive-profiling activities: ask the profile workflow what is due, store the answers.

``profiling.next`` is how the login journey reaches the customer's ``profile`` workflow: a workflow
cannot send another workflow an update, so this activity does it with update-with-start (the
profile is created at the first sign-in). The update id is derived from the login journey's id,
so a retried activity is answered from the first attempt instead of counting the sign-in twice.
A rule whose fields are all stored already is settled as answered rather than asked.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from sqlmodel import select
from temporalio import activity
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from journeys.profile import Interstitial, Profile, ProfileState, Settled, SignIn, profile_id
from journeys.profiling_plan import PROFILE_SCHEMA_VERSION, RULES, Rule
from store.models import utcnow
from store.profile_models import ProfileField
from workers.activities.base import ActivityGroup


class NextInterstitial(BaseModel):
    """A sign-in by ``customer_id`` finishing in ``journey_id``."""

    customer_id: str
    journey_id: str


class SaveProfile(BaseModel):
    """Validated answers to store (by field name) and where they came from."""

    customer_id: str
    source: str
    values: dict[str, str]


class ProfilingActivities(ActivityGroup):
    """Talks to profile workflows and writes ``profile_fields``."""

    @activity.defn(name="profiling.next")
    async def next(self, request: NextInterstitial) -> Interstitial:
        """Count the sign-in in the customer's profile workflow; the rule due now, if any."""
        workflow_id = profile_id(request.customer_id)
        start = WithStartWorkflowOperation(
            Profile.run,
            ProfileState(customer_id=request.customer_id),
            id=workflow_id,
            task_queue=self.settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        client = activity.client()
        due = await client.execute_update_with_start_workflow(
            Profile.sign_in,
            SignIn(journey_id=request.journey_id),
            id=f"{request.journey_id}:sign-in",
            start_workflow_operation=start,
        )
        rule = RULES.get(due.rule)
        if rule is None or not await asyncio.to_thread(self._known, request.customer_id, rule):
            return due
        # Already collected (e.g. edited on the account page): settle it instead of asking.
        await client.get_workflow_handle(workflow_id).signal(
            Profile.settle, Settled(rule=rule.name, answered=True)
        )
        return Interstitial()

    def _known(self, customer_id: str, rule: Rule) -> bool:
        """Whether every field of ``rule``'s screen already has a stored value."""
        wanted = {name for name, _ui, _info in rule.screen.ui_fields()}
        with self.db() as session:
            stored = session.exec(
                select(ProfileField.name).where(ProfileField.customer_id == customer_id)
            ).all()
        return wanted <= set(stored)

    @activity.defn(name="profiling.save")
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

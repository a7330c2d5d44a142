"""The ``consent-change`` workflow: one decision from the account page, recorded and announced.

``/account/consents`` starts it with the decision and waits for the result. A workflow rather than
two direct writes so the record and its ``consent.changed`` event both happen, each exactly once,
even if the web process dies between them; the workflow id (one per form post) is the journey id
the records and the event are keyed by.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journeys.consent_steps import changed_event
    from journeys.kit.journey import DEFAULT_RETRY
    from workers.activities.consent import ConsentActivities, RecordConsents
    from workers.activities.events import EventActivities

WORKFLOW = "consent-change"
TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=WORKFLOW)
class ConsentChange:
    """Record one consent decision, then emit ``consent.changed``."""

    @workflow.run
    async def run(self, request: RecordConsents) -> int:
        """The number of records written (0 when this decision was already recorded)."""
        written = await workflow.execute_activity_method(
            ConsentActivities.record,
            request,
            start_to_close_timeout=TIMEOUT,
            retry_policy=DEFAULT_RETRY,
        )
        await workflow.execute_activity_method(
            EventActivities.emit,
            changed_event(request),
            start_to_close_timeout=TIMEOUT,
            retry_policy=DEFAULT_RETRY,
        )
        return written

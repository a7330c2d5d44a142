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
    from contracts.consent import CONSENT_CHANGE_WORKFLOW, ConsentActivities, RecordConsents
    from contracts.events import EventActivities
    from journeys.consent_steps import changed_event
    from journeys.kit.activities import DEFAULT_RETRY, run_activity
    from journeys.kit.registry import background

TIMEOUT = timedelta(seconds=30)


@background(CONSENT_CHANGE_WORKFLOW)
class ConsentChange:
    """Record one consent decision, then emit ``consent.changed``."""

    @workflow.run
    async def run(self, request: RecordConsents) -> int:
        """The number of records written (0 when this decision was already recorded)."""
        written = await run_activity(
            ConsentActivities.record,
            request,
            timeout=TIMEOUT,
            retry=DEFAULT_RETRY,
        )
        await run_activity(
            EventActivities.emit,
            changed_event(request),
            timeout=TIMEOUT,
            retry=DEFAULT_RETRY,
        )
        return written

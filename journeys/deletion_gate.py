"""The sign-in gate of an account scheduled for deletion: "deleted on DATE — keep it?".

Called by the login journey right after the password (one line there). Signing in is the second way
to cancel a deletion: "Keep my account" cancels the deprovisioning journey (which restores the
account exactly as it was) and the sign-in carries on; "Leave it" ends the sign-in with the
deletion still scheduled. Runs recorded before this gate existed replay unchanged: it sits behind
:data:`~journeys.patches.DEPROVISIONING_GATE`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.deletion_gate import DeletionGateActivities, PendingDeletion
    from journeys.kit import Action, Journey, Outcome, Screen, failed
    from journeys.kit.activities import DEFAULT_RETRY, run_activity
    from journeys.patches import DEPROVISIONING_GATE

ANSWER_TIMEOUT = timedelta(minutes=30)
KEEP_TIMEOUT = timedelta(seconds=60)  # the deprovisioning journey restores, then answers
KEEP = "keep"


class ScheduledForDeletionAtSignIn(Screen):
    """The choice offered to a customer whose account is in its grace period."""

    title = "Your account is scheduled for deletion"
    intro = "Your account will be deleted on {date}. Do you want to keep it?"
    actions = (
        Action(name=KEEP, label="Keep my account", validate_fields=False),
        Action(name="leave", label="No, delete it as planned", validate_fields=False),
    )


async def deletion_gate(journey: Journey, journey_id: str, customer_id: str) -> Outcome | None:
    """``None`` to carry on signing in; the final outcome if the customer leaves it scheduled."""
    if not workflow.patched(DEPROVISIONING_GATE):
        return None
    pending = await journey.step(
        DeletionGateActivities.pending,
        PendingDeletion(customer_id=customer_id),
        why="Checking for a scheduled deletion",
    )
    if pending.scheduled_for is None:
        return None
    return await keep_or_leave(journey, journey_id, customer_id, pending.scheduled_for)


async def keep_or_leave(
    journey: Journey, journey_id: str, customer_id: str, scheduled_for: datetime
) -> Outcome | None:
    """Ask whether to keep the account deleted on ``scheduled_for``; ``None``: kept, carry on."""
    date = f"{scheduled_for:%d %B %Y}"
    answer = await journey.ask(
        ScheduledForDeletionAtSignIn,
        context={"date": date},
        timeout=ANSWER_TIMEOUT,
    )
    if answer.action != KEEP:
        return failed(journey_id, f"Not signed in: the account is still deleted on {date}.")
    await run_activity(
        DeletionGateActivities.keep,
        PendingDeletion(customer_id=customer_id),
        timeout=KEEP_TIMEOUT,
        retry=DEFAULT_RETRY,
    )
    return None

"""The progressive-profiling interstitial of the login journey.

:func:`profile_interstitial` asks the customer's ``profile`` workflow (through the
``profiling.next`` activity) which rule is due at this sign-in, shows that one screen, stores the
answers (``profiling.save``), emits ``profile.updated`` (field names only, no values) and tells the
profile workflow whether the rule was answered or skipped.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.events import EmitEvent
    from contracts.profiling import (
        SETTLE_SIGNAL,
        Interstitial,
        NextInterstitial,
        ProfilingActivities,
        SaveProfile,
        Settled,
        profile_id,
    )
    from journeys.consent_steps import emit_event
    from journeys.kit import Journey, Outcome, StepTimedOut, expired
    from journeys.kit.activities import DEFAULT_RETRY, run_activity
    from journeys.profiling_plan import RULES, SKIP

ANSWER_TIMEOUT = timedelta(minutes=30)
ACTIVITY_TIMEOUT = timedelta(seconds=30)


async def profile_interstitial(
    journey: Journey, *, journey_id: str, customer_id: str
) -> Outcome | None:
    """Show the one due profiling screen, if any; the outcome only if the journey must end."""
    due = await run_activity(
        ProfilingActivities.next,
        NextInterstitial(customer_id=customer_id, journey_id=journey_id),
        timeout=ACTIVITY_TIMEOUT,
        retry=DEFAULT_RETRY,
    )
    return await show_interstitial(journey, due, journey_id=journey_id, customer_id=customer_id)


async def show_interstitial(
    journey: Journey, due: Interstitial, *, journey_id: str, customer_id: str
) -> Outcome | None:
    """:func:`profile_interstitial` for a rule already asked (``sign_in.gather`` asks it)."""
    rule = RULES.get(due.rule)
    if rule is None:
        return None
    try:
        answer = await journey.ask(
            rule.screen, timeout=ANSWER_TIMEOUT, why=f"Progressive profiling: {rule.name}"
        )
    except StepTimedOut as timeout:
        return expired(journey_id, f"No answer at step {timeout}.")
    profile = workflow.get_external_workflow_handle(profile_id(customer_id))
    if answer.action == SKIP:
        await profile.signal(SETTLE_SIGNAL, Settled(rule=rule.name, answered=False))
        return None
    values = {name: str(getattr(answer, name)) for name, _ui, _info in rule.screen.ui_fields()}
    saved = await journey.step(
        ProfilingActivities.save,
        SaveProfile(customer_id=customer_id, source=journey_id, values=values),
        why="Saving the profile answers",
    )
    await emit_event(
        EmitEvent(
            event_id=f"{journey_id}:profile.updated",
            type="profile.updated",
            customer_id=customer_id,
            data={"fields": saved, "rule": rule.name, "channel": "login"},
        )
    )
    await profile.signal(SETTLE_SIGNAL, Settled(rule=rule.name, answered=True))
    return None

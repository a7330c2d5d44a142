"""The ``profile`` entity workflow: one per customer (id ``profile-<customer_id>``), for months.

It counts the customer's sign-ins and the product's business events and, at each sign-in, answers
the login journey's ``sign_in`` update with the one profiling rule due now (or none). An update,
not a query: answering *is* a state change (the sign-in is counted exactly once, deduplicated by
the update id the caller derives from its journey id), and its result must be consistent with that
change. Answers and skips come back as the ``settle`` signal.

Before its history grows past :data:`MAX_HISTORY` events (or when the server suggests it), the
workflow continues as new with its whole state, so it can live as long as the customer does.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.events import EmitEvent, EventActivities
    from contracts.profiling import (
        EDIT_UPDATE,
        EVENT_SIGNAL,
        MAX_SEEN_EVENTS,
        SETTLE_SIGNAL,
        SIGN_IN_UPDATE,
        WORKFLOW,
        Interstitial,
        PlanProgress,
        ProductEvent,
        ProfileEdit,
        ProfileState,
        ProfilingActivities,
        SaveProfile,
        Settled,
        SignIn,
    )
    from journeys.kit.activities import run_activity
    from journeys.kit.registry import background
    from journeys.profiling_plan import due, skipped


@background(WORKFLOW)
class Profile:
    """See the module docstring."""

    @workflow.init
    def __init__(self, state: ProfileState) -> None:
        # In ``init`` so an update delivered with the start (update-with-start) finds the state.
        if state.progress is None:
            state.progress = PlanProgress(since=workflow.now())
        self._state = state

    @workflow.run
    async def run(self, state: ProfileState) -> None:
        """Serve events until the history is long enough, then continue as new with the state."""
        workflow.set_current_details(self._summary())
        await workflow.wait_condition(self._should_roll_over)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self._state)

    @workflow.update(name=SIGN_IN_UPDATE)
    def sign_in(self, seen: SignIn) -> Interstitial:
        """Count the sign-in; return the one rule to ask now, if any."""
        progress = self._progress()
        progress.logins += 1
        rule = due(progress, workflow.now())
        workflow.set_current_details(self._summary())
        if rule is None:
            return Interstitial()
        return Interstitial(
            rule=rule.name, fields=[name for name, _ui, _info in rule.screen.ui_fields()]
        )

    @workflow.update(name=EDIT_UPDATE)
    async def edit(self, edit: ProfileEdit) -> list[str]:
        """Store fields the customer edited on the account page, announce them, settle the rule.

        Through this workflow rather than a write from the web, so the change runs as retried
        activities, emits ``profile.updated`` like an interstitial answer, and is never asked again.
        """
        customer_id = self._ready().customer_id
        saved = await run_activity(
            ProfilingActivities.save,
            SaveProfile(customer_id=customer_id, source="account", values=edit.values),
        )
        await run_activity(
            EventActivities.emit,
            EmitEvent(
                event_id=f"{edit.edit_id}:profile.updated",
                type="profile.updated",
                customer_id=customer_id,
                data={"fields": saved, "rule": edit.rule, "channel": "account"},
            ),
        )
        progress = self._progress()
        if edit.rule not in progress.answered:
            progress.answered.append(edit.rule)
        workflow.set_current_details(self._summary())
        return saved

    @workflow.signal(name=EVENT_SIGNAL)
    def event(self, event: ProductEvent) -> None:
        """Count a business event once (a repeated ``event_id`` is ignored)."""
        state = self._ready()
        if event.event_id in state.seen_events:
            return
        state.seen_events = [*state.seen_events, event.event_id][-MAX_SEEN_EVENTS:]
        progress = self._progress()
        progress.events[event.type] = progress.events.get(event.type, 0) + 1
        workflow.set_current_details(self._summary())

    @workflow.signal(name=SETTLE_SIGNAL)
    def settle(self, settled: Settled) -> None:
        """Remember an answer for good, or rest a skipped rule (backoff)."""
        progress = self._progress()
        if settled.answered:
            if settled.rule not in progress.answered:
                progress.answered.append(settled.rule)
        else:
            skipped(progress, settled.rule)
        workflow.set_current_details(self._summary())

    @workflow.query
    def state(self) -> ProfileState:
        """The whole state (support and tests)."""
        return self._ready()

    def _ready(self) -> ProfileState:
        return self._state

    def _progress(self) -> PlanProgress:
        progress = self._ready().progress
        assert progress is not None
        return progress

    def _should_roll_over(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._ready().max_history
        )

    def _summary(self) -> str:
        progress = self._progress()
        since: datetime = progress.since
        return (
            f"**profile** · {progress.logins} sign-ins since {since:%Y-%m-%d} · events "
            f"{dict(progress.events)} · answered {progress.answered} · skipped {progress.skips}"
        )

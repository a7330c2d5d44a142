"""Deprovisioning: a cancellable grace period as a durable timer, then a GDPR erasure everywhere.

The journey (id ``deprovisioning-<customer_id>``) marks the account ``pending_deletion``, signs it
out everywhere, emails a cancel link, reminds the customer shortly before the end, and waits. A
``DeletionDecision`` (cancel link, sign-in, or an admin asking for it now) or a support action
(``cancel``/``expedite``) ends the wait early; cancelling restores the status the account had.
With no grace period (admin API, SCIM ``DELETE``) the account is suspended and erased at once.

Erasure first asks every connected system subscribed to ``customer.erasure_requested`` to erase
too (one durable, signed delivery each) and waits, up to a deadline, for each system's signed
acknowledgement; then it deletes the local data and keeps a tombstone. Systems that never answered
are named in the outcome and in the current details shown by the Temporal UI.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.deprovisioning import (
        ACKNOWLEDGE_SIGNAL,
        ERASURE_REQUESTED,
        BeginDeletion,
        CustomerRef,
        DeletionDecision,
        DeletionNotice,
        DeprovisioningActivities,
        EraseCustomer,
    )
    from journeys.kit import Action, Journey, JourneyStart, Outcome, Screen, journey
    from journeys.kit.cancel import JourneyCancelled
    from journeys.kit.journey import StepTimedOut
    from journeys.kit.outcomes import cancelled, failed, redirect
    from journeys.outbox import emit

#: The reminder's lead time of journeys started before it was a setting.
REMINDER_BEFORE = timedelta(days=3)


class DeprovisioningStart(JourneyStart):
    """Whose account, how long the grace period is (0: erase now), how long before its end the
    reminder goes out (0: none; ``THRESHOLD_DELETION_REMINDER_BEFORE``) and who asked."""

    customer_id: str
    grace_seconds: int
    ack_deadline_seconds: int
    requested_by: str = "customer"
    reminder_seconds: int = int(REMINDER_BEFORE.total_seconds())


class ScheduledForDeletion(Screen):
    """The grace period; support may erase now (``expedite``) or ``cancel`` the deletion."""

    title = "Scheduled for deletion"
    intro = "The account is signed out and will be erased when the grace period ends."
    actions = (Action(name="expedite", label="Erase now", validate_fields=False),)


class AwaitingAcknowledgements(Screen):
    """Erasure requested from every connected system; waiting for each to confirm."""

    title = "Erasing"
    intro = "Waiting for connected systems to confirm they erased the customer."
    actions = ()


@journey("deprovisioning")
class Deprovisioning(Journey):
    """The deprovisioning journey (see the module docstring)."""

    support_actions = frozenset({"expedite", "cancel"})
    funnel_steps = ("scheduled-for-deletion", "awaiting-acknowledgements")

    def __init__(self) -> None:
        super().__init__()
        self._acknowledged: set[str] = set()

    @workflow.signal(name=ACKNOWLEDGE_SIGNAL)
    def acknowledge_erasure(self, subscription_id: str) -> None:
        """A connected system confirmed (the web checked its signature first)."""
        self._acknowledged.add(subscription_id)

    @workflow.run
    async def run(self, start: DeprovisioningStart) -> Outcome:
        """Schedule, wait out the grace period (or be cancelled), then erase everywhere."""
        journey_id = workflow.info().workflow_id
        customer_id = start.customer_id
        ref = CustomerRef(journey_id=journey_id, customer_id=customer_id)
        self.identify(customer_id=customer_id)
        requested_at = workflow.now()
        ends = requested_at + timedelta(seconds=max(start.grace_seconds, 0))
        begun = await self.step(
            DeprovisioningActivities.begin,
            BeginDeletion(
                journey_id=journey_id,
                customer_id=customer_id,
                scheduled_for=ends,
                immediate=start.grace_seconds <= 0,
                requested_by=start.requested_by,
            ),
            why="Signing the customer out and scheduling the deletion",
        )
        if not begun.found:
            return await self.finish(failed(journey_id, "No such customer (or already erased)."))
        self.identify(email_lookup=begun.email_lookup)
        if start.grace_seconds > 0:
            try:
                keep = await self._grace(ref, ends, start)
            except JourneyCancelled:
                keep = True
            if keep:
                await self.step(DeprovisioningActivities.restore, ref, why="Restoring the account")
                return await self.finish(
                    cancelled(journey_id, "Deletion cancelled; the account is restored.")
                )
        return await self._erase(ref, requested_at, timedelta(seconds=start.ack_deadline_seconds))

    async def _grace(self, ref: CustomerRef, ends: datetime, start: DeprovisioningStart) -> bool:
        """Wait until ``ends``; True if the customer keeps the account, False to erase."""
        await self._notify(ref, "deletion_scheduled", ends, start.requested_by)
        reminded = start.reminder_seconds <= 0
        while True:
            remind_at = ends - timedelta(seconds=start.reminder_seconds)
            until = ends if reminded or remind_at <= workflow.now() else remind_at
            try:
                answer = await self.wait_for(
                    DeletionDecision,
                    screen=ScheduledForDeletion,
                    timeout=max(until - workflow.now(), timedelta(seconds=1)),
                    context={"ends": ends.isoformat()},
                    why=f"Grace period until {ends:%Y-%m-%d %H:%M} UTC",
                )
            except StepTimedOut:
                if until == ends:
                    return False
                await self._notify(ref, "deletion_reminder", ends, start.requested_by)
                reminded = True
                continue
            return isinstance(answer, DeletionDecision) and answer.keep

    async def _notify(self, ref: CustomerRef, kind: str, ends: datetime, requested_by: str) -> None:
        await self.step(
            DeprovisioningActivities.notify,
            DeletionNotice(
                journey_id=ref.journey_id,
                customer_id=ref.customer_id,
                kind="deletion_reminder" if kind == "deletion_reminder" else "deletion_scheduled",
                scheduled_for=ends,
                requested_by=requested_by,
            ),
            why=f"Emailing the {kind.replace('_', ' ')} notice",
        )

    async def _erase(
        self, ref: CustomerRef, requested_at: datetime, deadline: timedelta
    ) -> Outcome:
        """Fan out, wait for acknowledgements, erase locally, report who never answered."""
        systems = await self.step(
            DeprovisioningActivities.erasure_subscribers,
            ref,
            why="Listing the connected systems that must erase too",
        )
        event_id = f"{ref.journey_id}:{ERASURE_REQUESTED}"
        await emit(
            self,
            ERASURE_REQUESTED,
            ref.customer_id,
            {"ack_path": f"/api/erasure/{event_id}/ack"},
        )
        self.show(AwaitingAcknowledgements, context={"systems": " ".join(systems)})
        pending = set(systems)

        def report() -> None:
            waiting = sorted(pending - self._acknowledged)
            workflow.set_current_details(
                f"**deprovisioning** · erasure requested from {len(systems)} system(s)\n\n"
                f"Acknowledged: {', '.join(sorted(pending & self._acknowledged)) or 'none'}\n\n"
                f"Waiting for: {', '.join(waiting) or 'none'}"
            )

        report()
        ends = workflow.now() + deadline
        while not pending <= self._acknowledged and workflow.now() < ends:
            known = len(self._acknowledged)
            try:
                await workflow.wait_condition(
                    lambda known=known: len(self._acknowledged) != known,  # type: ignore[misc]
                    timeout=ends - workflow.now(),
                )
            except TimeoutError:
                break
            report()
        acknowledged = sorted(pending & self._acknowledged)
        missing = sorted(pending - self._acknowledged)
        await self.step(
            DeprovisioningActivities.erase,
            EraseCustomer(
                journey_id=ref.journey_id,
                customer_id=ref.customer_id,
                requested_at=requested_at,
                acknowledged=acknowledged,
                unacknowledged=missing,
            ),
            why="Erasing the customer's data and keeping a tombstone",
        )
        await emit(self, "customer.deleted", ref.customer_id, {"unacknowledged": missing})
        reason = "Erased. Acknowledged by: " + (", ".join(acknowledged) or "none") + "."
        if missing:
            reason += " NEVER ACKNOWLEDGED (follow up by hand): " + ", ".join(missing) + "."
        outcome = redirect(ref.journey_id, to="/")
        return await self.finish(
            outcome.model_copy(update={"reason": reason, "customer_id": ref.customer_id})
        )

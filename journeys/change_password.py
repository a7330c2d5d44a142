"""Change password: from the account page, the signed-in customer confirms it's them, chooses a
new password (the same NIST checks as registration), and every *other* session is signed out.

The password is stored and every session revoked in one activity; the journey then ends signed in,
so this browser gets a fresh session while the others stay out. A notice goes to the customer's
address with a way to secure the account if it was not them.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.password_change import (
        PasswordChangeActivities,
        PasswordChangeNotice,
        ReplacePassword,
    )
    from journeys.kit import (
        Action,
        Journey,
        JourneyStart,
        Outcome,
        Sealed,
        StepTimedOut,
        expired,
        failed,
        journey,
        signed_in,
    )
    from journeys.kit.choose_password import EnterNewPassword, choose_password
    from journeys.kit.fields import new_password_field
    from journeys.kit.reauthenticate import reauthenticate
    from journeys.outbox import emit
    from journeys.patches import ACCOUNT_CHANGE_EVENTS

ANSWER_TIMEOUT = timedelta(minutes=30)
DONE = "/account/security?done=password"


class ChooseNewPassword(EnterNewPassword):
    """The new password; the customer's other sessions end once it is saved."""

    title = "Change your password"
    intro = "Once it is saved, we sign you out on every other device and email you that it changed."
    actions = (Action(name="submit", label="Save my new password"),)

    password: Sealed = new_password_field("New password")


@journey(
    "change-password",
    signed_in=True,
    recent_auth=timedelta(hours=12),
    account_link="Change your password",
)
class ChangePassword(Journey):
    """Confirm it's you, choose the new password, then a fresh session (module docstring)."""

    funnel_steps = ("confirm-its-you", "choose-new-password")

    @workflow.run
    async def run(self, start: JourneyStart) -> Outcome:
        """Re-authenticate, replace the password, notify, and sign this browser in afresh."""
        journey_id = workflow.info().workflow_id
        customer_id = start.customer_id
        if not customer_id:
            return await self.finish(failed(journey_id, "Change your password from your account."))
        self.identify(customer_id=customer_id)
        try:
            amr = await reauthenticate(
                self, customer_id=customer_id, client_ip=start.client_ip, device=start.device
            )
            if amr is None:
                return await self.finish(failed(journey_id, "Too many attempts. Start again."))
            # Stored and every session revoked in one activity (module docstring).
            await choose_password(
                self,
                ChooseNewPassword,
                lambda password: self.step(
                    PasswordChangeActivities.change,
                    ReplacePassword(
                        journey_id=journey_id, customer_id=customer_id, password=password
                    ),
                    why="Hashing the new password and signing out every session",
                ),
                timeout=ANSWER_TIMEOUT,
            )
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        await self.step(
            PasswordChangeActivities.notify,
            PasswordChangeNotice(journey_id=journey_id, customer_id=customer_id),
            why="Emailing the customer that the password changed",
        )
        if workflow.patched(ACCOUNT_CHANGE_EVENTS):
            await emit(self, "customer.password_changed", customer_id)
        return await self.finish(signed_in(journey_id, customer_id, amr=amr, to=DONE))

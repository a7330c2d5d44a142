"""Change email address: the signed-in customer names a new address, confirms it's them, proves
the new mailbox with a code (or link) valid 24 hours, and the account moves to it. The old address
is told, with a link that undoes the change for 7 days (restoring it and signing out everywhere).

Enumeration-safe: an address that belongs to another account walks through the very same screens
and timing; it gets a "someone tried" message instead of a code, so the change can never finish
and the pages never say why.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.email_change import (
        EmailChangeActivities,
        EmailChangeStaged,
        StageEmailChange,
        SwitchEmail,
        UndoEmailChange,
    )
    from contracts.emails import EmailPurpose
    from contracts.errors import ErrorCode
    from journeys.kit import (
        Action,
        Journey,
        JourneyStart,
        LinkPage,
        Outcome,
        StepTimedOut,
        expired,
        failed,
        journey,
        redirect,
    )
    from journeys.kit.ask_email import EnterEmail, ask_email
    from journeys.kit.fields import email_field
    from journeys.kit.prove_email import RESEND, EnterEmailedCode, prove_email
    from journeys.kit.reauthenticate import reauthenticate
    from journeys.kit.undo_window import undo_window
    from journeys.outbox import emit
    from journeys.patches import ACCOUNT_CHANGE_EVENTS

ANSWER_TIMEOUT = timedelta(minutes=30)
CODE_LIFETIME = timedelta(hours=24)
UNDO_WITHIN = timedelta(days=7)
DONE = "/account?done=email"
#: The outbox event of the switch, and of its undo (ids only: never an address).
EMAIL_CHANGED = "customer.email_changed"


class NewEmailAddress(EnterEmail):
    """The address to move the account to."""

    title = "Change your email address"
    intro = (
        "Enter your new address. We email it a code to confirm it's yours; your old address "
        "gets a link to undo the change for 7 days."
    )
    actions = (Action(name="submit", label="Continue"),)

    email: str = email_field("New email address")


class CheckYourNewEmail(EnterEmailedCode):
    """The code (or link) sent to the new address; it works for 24 hours."""

    intro = (
        "We sent a 6-digit code and a link to {email}; both work for 24 hours. Enter the code "
        "below, or open the link on any device; this page moves on by itself."
    )
    actions = (
        Action(name="submit", label="Confirm my new address"),
        Action(name=RESEND, label="Send a new code", validate_fields=False, primary=False),
    )


@journey(
    "change-email",
    signed_in=True,
    recent_auth=timedelta(hours=12),
    account_link="Change your email address",
)
class ChangeEmail(Journey):
    """New address, re-authentication, proof of the new mailbox, switch, undo window."""

    funnel_steps = ("new-email-address", "confirm-its-you", "check-your-new-email")
    link_page = LinkPage(
        title="Confirm your new email address",
        intro="Press the button to confirm this address for your Threshold account.",
        button="Confirm my new address",
        done_title="Your new address is confirmed",
        gone="It was already used, or the change it belongs to has ended. Start again from "
        "your account.",
    )

    @workflow.run
    async def run(self, start: JourneyStart) -> Outcome:
        """Ask, re-authenticate, prove, switch, and leave the old address a way back."""
        journey_id = workflow.info().workflow_id
        customer_id = start.customer_id
        if not customer_id:
            return await self.finish(failed(journey_id, "Change your email from your account."))
        self.identify(customer_id=customer_id)
        try:
            new_email, staged = await self._new_address(journey_id, customer_id)
            amr = await reauthenticate(
                self, customer_id=customer_id, client_ip=start.client_ip, device=start.device
            )
            if amr is None:
                return await self.finish(failed(journey_id, "Too many attempts. Start again."))
            refused = await prove_email(
                self,
                email=new_email,
                screen=CheckYourNewEmail,
                template="email_change_taken" if staged.taken else "email_change_code",
                purpose=EmailPurpose.DECOY if staged.taken else EmailPurpose.CODE_AND_LINK,
                lifetime=CODE_LIFETIME,
            )
            if refused is not None:
                return await self.finish(failed(journey_id, refused))
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        try:
            await self.step(
                EmailChangeActivities.switch,
                SwitchEmail(journey_id=journey_id, customer_id=customer_id, new_email=new_email),
                why="Moving the account to the proven address",
            )
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == ErrorCode.EMAIL_TAKEN:
                return await self.finish(failed(journey_id, "This address cannot be used."))
            raise
        self.identify(email_lookup=staged.email_lookup)
        events = workflow.patched(ACCOUNT_CHANGE_EVENTS)
        if events:
            await emit(self, EMAIL_CHANGED, customer_id)
        await undo_window(
            self,
            customer_id=customer_id,
            email=staged.current_email,
            template="email_changed",
            within=UNDO_WITHIN,
            event=EMAIL_CHANGED if events else "",
            undo=EmailChangeActivities.undo,
            undo_input=UndoEmailChange(
                journey_id=journey_id,
                customer_id=customer_id,
                old_email=staged.current_email,
                new_email=new_email,
            ),
        )
        return await self.finish(redirect(journey_id, to=DONE))

    async def _new_address(
        self, journey_id: str, customer_id: str
    ) -> tuple[str, EmailChangeStaged]:
        """Ask until the address is not the customer's own already."""

        async def stage(email: str) -> tuple[EmailChangeStaged, str | None]:
            staged = await self.step(
                EmailChangeActivities.stage,
                StageEmailChange(journey_id=journey_id, customer_id=customer_id, new_email=email),
                why="Looking at the new address",
            )
            return staged, "This is already your address." if staged.own else None

        return await ask_email(self, NewEmailAddress, timeout=ANSWER_TIMEOUT, submit=stage)

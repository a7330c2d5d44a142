"""Invitation: a provisioned customer opens the emailed link, chooses a password, accepts the terms.

Started by the SCIM API when a provisioning client creates a User (workflow id
``invitation-<customer id>``, so a retried request never starts a second one). The journey emails
a single-use link and waits for it up to a week; the browser that confirms the link is bound to
the journey by the web layer (``/invite/<journey id>``) and walks the remaining screens there.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.consent import ConsentActivities, RecordConsents
    from contracts.invitation import (
        ACCOUNT_UNAVAILABLE,
        CheckInvitationLink,
        ChoosePassword,
        InvitationActivities,
        SendInvitation,
    )
    from journeys.kit import (
        Journey,
        JourneyStart,
        LinkPage,
        Outcome,
        Screen,
        StepTimedOut,
        expired,
        failed,
        journey,
        signed_in,
    )
    from journeys.kit.choose_password import EnterNewPassword, choose_password
    from journeys.kit.link_opened import link_opened
    from journeys.registration import TERMS, AcceptTerms

PASSWORD_TIMEOUT = timedelta(hours=1)
TERMS_TIMEOUT = timedelta(hours=1)


class InvitationStart(JourneyStart):
    """Who is invited (the customer id also names the workflow)."""

    customer_id: str


class CheckYourInbox(Screen):
    """What the journey waits at until the emailed link is opened; nothing to submit here."""

    title = "Check your inbox"
    intro = "We emailed you a link to set up your account. Open it on any device."
    actions = ()


class ChooseYourPassword(EnterNewPassword):
    """The first password of a provisioned customer."""

    title = "Choose your password"
    intro = "Your invitation is confirmed. Choose the password you will sign in with."


@journey("invitation")
class InvitationJourney(Journey):
    """The invitation journey (see the module docstring)."""

    # Support may give a customer more time; the link's own 7-day expiry is unaffected.
    support_actions = frozenset({"extend"})
    funnel_steps = ("check-your-inbox", "choose-your-password", "accept-terms")
    link_page = LinkPage(
        title="Set up your account",
        intro=(
            "Press the button to continue in this browser: you will choose your password and "
            "accept our terms."
        ),
        gone_title="This invitation no longer works",
        gone="It was already used, or it has expired. Ask your organisation to invite you again.",
    )

    @workflow.run
    async def run(self, start: InvitationStart) -> Outcome:
        """Email the link, wait for it, set the password, record consent, sign in."""
        journey_id = workflow.info().workflow_id
        customer_id = start.customer_id
        self.identify(customer_id=customer_id)
        try:
            sent = await self.step(
                InvitationActivities.send,
                SendInvitation(
                    invitation_id=str(workflow.uuid4()),
                    journey_id=journey_id,
                    customer_id=customer_id,
                ),
                why="Emailing the invitation",
            )
        except ActivityError:
            return await self.finish(failed(journey_id, "This invitation cannot be sent."))
        self.identify(email_lookup=sent.email_lookup)
        try:
            opened = await link_opened(
                self,
                screen=CheckYourInbox,
                expires_at=sent.expires_at,
                check=lambda token: self.step(
                    InvitationActivities.check_link,
                    CheckInvitationLink(journey_id=journey_id, token=token),
                    why="Checking the invitation link",
                ),
                why="Waiting for the invitation link to be opened",
            )
            if not opened:
                return await self.finish(expired(journey_id, "The invitation link has expired."))
            verdict = await self._choose_password(journey_id, customer_id)
            if verdict is not None:
                return await self.finish(verdict)
            await self.ask(AcceptTerms, timeout=TERMS_TIMEOUT)
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        await self.step(
            ConsentActivities.record,
            RecordConsents(
                customer_id=customer_id,
                journey_id=journey_id,
                channel="invitation",
                grants=[TERMS],
            ),
            why="Recording consent to the terms",
        )
        return await self.finish(
            signed_in(journey_id, customer_id, amr=["pwd", "email"], to=start.return_to)
        )

    async def _choose_password(self, journey_id: str, customer_id: str) -> Outcome | None:
        """``None`` once the password is stored, or the outcome if the account is gone."""
        try:
            await choose_password(
                self,
                ChooseYourPassword,
                lambda password: self.step(
                    InvitationActivities.set_password,
                    ChoosePassword(
                        journey_id=journey_id, customer_id=customer_id, password=password
                    ),
                    why="Hashing the password",
                ),
                timeout=PASSWORD_TIMEOUT,
            )
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == ACCOUNT_UNAVAILABLE:
                return failed(journey_id, "This account is not available.")
            raise
        return None

"""Invitation: a provisioned customer opens the emailed link, chooses a password, accepts the terms.

Started by the SCIM API when a provisioning client creates a User (workflow id
``invitation-<customer id>``, so a retried request never starts a second one). The journey emails
a single-use link and waits for it up to a week; the browser that confirms the link is bound to
the journey by the web layer (``/invite/<journey id>``) and walks the remaining screens there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.consent import ConsentActivities, RecordConsents
    from contracts.errors import ErrorCode
    from contracts.invitation import (
        ACCOUNT_UNAVAILABLE,
        CheckInvitationLink,
        ChoosePassword,
        InvitationActivities,
        SendInvitation,
    )
    from journeys.kit import (
        Action,
        EmailLinkClicked,
        Journey,
        JourneyStart,
        LinkPage,
        Outcome,
        Screen,
        Sealed,
        StepTimedOut,
        expired,
        failed,
        journey,
        signed_in,
    )
    from journeys.kit.fields import new_password_field
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


class ChooseYourPassword(Screen):
    """The first password of a provisioned customer."""

    title = "Choose your password"
    intro = "Your invitation is confirmed. Choose the password you will sign in with."
    actions = (Action(name="submit", label="Save password"),)

    password: Sealed = new_password_field()


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
            if not await self._link_opened(journey_id, sent.expires_at):
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

    async def _link_opened(self, journey_id: str, expires_at: datetime) -> bool:
        """Wait for a valid click of the emailed link; False once it has expired."""
        form_errors: list[str] = []
        while True:
            remaining = expires_at - workflow.now()
            try:
                answer = await self.wait_for(
                    EmailLinkClicked,
                    screen=CheckYourInbox,
                    timeout=max(remaining, timedelta(seconds=1)),
                    form_errors=form_errors,
                    why="Waiting for the invitation link to be opened",
                )
            except StepTimedOut:
                return False
            if not isinstance(answer, EmailLinkClicked):
                continue
            result = await self.step(
                InvitationActivities.check_link,
                CheckInvitationLink(journey_id=journey_id, token=answer.token),
                why="Checking the invitation link",
            )
            if result.ok:
                return True
            form_errors = [result.message]

    async def _choose_password(self, journey_id: str, customer_id: str) -> Outcome | None:
        errors: dict[str, str] = {}
        while True:
            answer = await self.ask(ChooseYourPassword, errors=errors, timeout=PASSWORD_TIMEOUT)
            try:
                await self.step(
                    InvitationActivities.set_password,
                    ChoosePassword(
                        journey_id=journey_id, customer_id=customer_id, password=answer.password
                    ),
                    why="Hashing the password",
                )
            except ActivityError as err:
                cause = err.cause
                kind = cause.type if isinstance(cause, ApplicationError) else None
                if kind in {ErrorCode.WEAK_PASSWORD, ErrorCode.SEAL_EXPIRED}:
                    assert isinstance(cause, ApplicationError)
                    errors = {"password": cause.message}
                    continue
                if kind == ACCOUNT_UNAVAILABLE:
                    return failed(journey_id, "This account is not available.")
                raise
            return None

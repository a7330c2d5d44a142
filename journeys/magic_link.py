"""Magic-link sign-in: no password; a link (or its code) emailed to the address signs in.

The link works once, for 15 minutes, and only after a click on its page (a POST, so mail scanners
that prefetch links sign nobody in). It may be opened on any device: that device only confirms,
and the browser that asked gets the session when its waiting page moves on. Once the email is
proven, the sign-in follows the very same decision as a password (``after_first_factor``: the
deletion gate, risk against the customer's history, deny or step-up with a second factor other
than email, events, re-consent, profiling), so the link is no way around step-up.

An address without an account walks through the same screens and timing; it gets a message
saying there is no account, whose code never matches, so the pages never reveal who is
registered. Requests are throttled per address and network.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.emails import EmailPurpose
    from contracts.magic_link import MagicLinkActivities, MagicLinkRequested, RequestMagicLink
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
    )
    from journeys.kit.ask_email import EnterEmail, ask_email
    from journeys.kit.fields import email_field
    from journeys.kit.prove_email import RESEND, EnterEmailedCode, prove_email
    from journeys.login.decision import after_first_factor

ANSWER_TIMEOUT = timedelta(minutes=30)
LIFETIME = timedelta(minutes=15)
MAX_SENDS = 3


class EmailMeALink(EnterEmail):
    """The address to send the sign-in link to."""

    title = "Sign in with an emailed link"
    intro = "No password needed: we email you a link that signs you in on this page."
    actions = (Action(name="submit", label="Email me a link"),)

    email: str = email_field(autocomplete="username")


class CheckYourInbox(EnterEmailedCode):
    """Waits for the link opened on any device, or its code typed here."""

    intro = (
        "If {email} has an account, we sent it a sign-in link and a 6-digit code; both work "
        "once, for 15 minutes. Open the link on any device, or enter the code below; this page "
        "signs you in by itself."
    )
    actions = (
        Action(name="submit", label="Sign in"),
        Action(name=RESEND, label="Send a new link", validate_fields=False, primary=False),
    )


@journey("magic-link", public=True)
class MagicLink(Journey):
    """The magic-link sign-in journey (see the module docstring)."""

    funnel_steps = ("email-me-a-link", "check-your-inbox")
    referrer_policy = "no-referrer"
    link_page = LinkPage(
        title="Sign in to Threshold",
        intro="Press the button to sign in on the page where you asked for this link.",
        button="Sign in",
        done_title="Go back to where you asked",
        done="The page where you asked for the link is signing you in. You can close this window.",
        gone="It was already used, or it expired: links work once, for 15 minutes. "
        "Ask for a new one.",
    )

    @workflow.run
    async def run(self, start: JourneyStart) -> Outcome:
        """The address, the proof of its mailbox, then the sign-in decision of every login."""
        journey_id = workflow.info().workflow_id
        try:
            email, requested = await self._request(journey_id, start)
            refused = await prove_email(
                self,
                email=email,
                screen=CheckYourInbox,
                template="magic_link" if requested.customer_id else "magic_link_unknown",
                purpose=EmailPurpose.CODE_AND_LINK if requested.customer_id else EmailPurpose.DECOY,
                lifetime=LIFETIME,
                max_sends=MAX_SENDS,
            )
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        if refused is not None:
            return await self.finish(failed(journey_id, refused))
        assert requested.customer_id, "a decoy's code and link never prove the address"
        return await after_first_factor(
            self,
            start=start,
            customer_id=requested.customer_id,
            email=email,
            email_lookup=requested.email_lookup,
            amr=["email"],
        )

    async def _request(
        self, journey_id: str, start: JourneyStart
    ) -> tuple[str, MagicLinkRequested]:
        """Ask for the address until a request is admitted."""

        async def request(email: str) -> tuple[MagicLinkRequested, str | None]:
            requested = await self.step(
                MagicLinkActivities.request,
                RequestMagicLink(journey_id=journey_id, email=email, client_ip=start.client_ip),
                why="Admitting the sign-in link request",
            )
            self.identify(email_lookup=requested.email_lookup)
            if requested.admitted:
                return requested, None
            return requested, (
                "Too many sign-in links for this address or from your network. "
                f"Please wait {requested.retry_after_seconds} s before trying again."
            )

        return await ask_email(self, EmailMeALink, timeout=ANSWER_TIMEOUT, submit=request)

"""Account recovery: prove the email, then a second factor if the customer has one, then reset.

Known and unknown addresses walk through the very same screens and the same activity calls (the
unknown one gets a "no account here" email and a code that never matches), so the pages never
reveal who has an account. The emailed code and link work for 15 minutes and only for this
journey; left unanswered the journey expires (``JourneyStatus=expired``) and sends no reminder:
recovery is something the customer asked for, not something we chase.

Policy (docs/security.md, "Account recovery"): email alone never resets an account that has a
second factor (ASVS 6.4.3): a TOTP code, a passkey or a recovery code is required too. A
passkey-only customer proves the email plus a recovery code and then registers a new passkey;
without recovery codes, only support-assisted recovery remains. Afterwards every session is
revoked, the login throttle reset, and the customer emailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.login import LoginActivities, ResetThrottle
    from contracts.recovery import (
        CompleteRecovery,
        RecoveryAccount,
        RecoveryActivities,
        RecoveryOf,
        RequestRecovery,
        SetPassword,
    )
    from journeys.kit import (
        Action,
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
        redirect,
    )
    from journeys.kit.ask_email import EnterEmail, ask_email
    from journeys.kit.cancel import JourneyCancelled
    from journeys.kit.choose_password import EnterNewPassword, choose_password
    from journeys.kit.fields import new_password_field
    from journeys.kit.outcomes import cancelled
    from journeys.kit.passkey_steps import create_passkey
    from journeys.kit.prove_email import EnterEmailedCode, prove_email
    from journeys.kit.second_factor import ChooseFactor, EnterTotp, second_factor

ANSWER_TIMEOUT = timedelta(minutes=30)


class ForgotPassword(EnterEmail):
    """Which account to recover."""

    title = "Reset your password"
    intro = (
        "Enter the email address of your account. If it has an account, we email it a code and "
        "a link to reset your password."
    )
    actions = (Action(name="submit", label="Continue"),)


class CheckYourEmail(EnterEmailedCode):
    """Waits for the code typed here or the link opened on any device (no resend: asking again
    is a new request, throttled per address and network)."""

    title = "Check your email"
    intro = (
        "If {email} has an account, we sent it a 6-digit code and a link; both work for 15 "
        "minutes. Enter the code below, or open the link on any device; this page moves on by "
        "itself."
    )
    actions = (Action(name="submit", label="Continue"),)


class ChooseProof(ChooseFactor):
    """Which second factor proves it's the customer (the view offers only their own)."""

    intro = "Your account has a second factor. Use it to confirm it's you before the reset."


class EnterAuthenticatorCode(EnterTotp):
    """The kit's authenticator-code screen under recovery's own name (recorded histories carry
    it)."""


class NewPassword(EnterNewPassword):
    """The new password; the same policy as registration."""

    title = "Choose a new password"
    intro = "Once it is saved, we sign you out everywhere and email you that it changed."
    actions = (Action(name="submit", label="Save my new password"),)

    password: Sealed = new_password_field("New password")


class PasswordChanged(Screen):
    """The final view of a completed recovery (the browser goes on to sign in)."""

    title = "Your account is recovered"
    intro = "We signed you out everywhere. Sign in with your new password or passkey."


class SupportNeeded(Screen):
    """A passkey-only customer with no recovery codes left: self-service cannot prove them."""

    title = "We need to help you in person"
    intro = (
        "Your account signs in only with passkeys and has no recovery codes left, so an email "
        "alone cannot prove it's you. Contact our support team: they will confirm your identity "
        "and help you add a new passkey. Nothing on your account was changed."
    )


@journey("recovery", public=True)
class Recovery(Journey):
    """The account recovery journey (see the module docstring)."""

    support_actions = frozenset({"cancel"})
    funnel_steps = ("forgot-password", "check-your-email", "choose-proof", "new-password")
    referrer_policy = "no-referrer"
    link_page = LinkPage(
        title="Reset your password",
        intro=(
            "Press the button to continue resetting your password. The page where you asked "
            "moves on by itself."
        ),
        button="Reset my password",
        done_title="Link confirmed",
        done=(
            "Go back to the device where you asked to reset your password: that page has "
            "already moved on to the next step. You can close this window."
        ),
        gone=(
            "It was already used, or it has expired. If you still need to reset your password, "
            "ask again."
        ),
    )

    @workflow.run
    async def run(self, start: JourneyStart) -> Outcome:
        """Email, proof of the email, a second factor if enrolled, then the new credential."""
        journey_id = workflow.info().workflow_id
        try:
            email, expires_at = await self._request(journey_id, start)
            refused = await prove_email(
                self, email=email, screen=CheckYourEmail, expires_at=expires_at
            )
            if refused is not None:
                return await self.finish(failed(journey_id, refused))
            account = await self.step(
                RecoveryActivities.account,
                RecoveryOf(journey_id=journey_id, email=email),
                why="Looking up the proven account",
            )
            self.identify(customer_id=account.customer_id)
            outcome, screen = await self._reset(journey_id, email, account)
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        except JourneyCancelled:
            return await self.finish(cancelled(journey_id, "Cancelled by our support team."))
        return await self.finish(outcome, screen=screen)

    async def _request(self, journey_id: str, start: JourneyStart) -> tuple[str, datetime]:
        """Ask for the email until a request is admitted; ``(email, when the email expires)``."""

        async def request(email: str) -> tuple[datetime | None, str | None]:
            requested = await self.step(
                RecoveryActivities.request,
                RequestRecovery(
                    verification_id=str(workflow.uuid4()),
                    journey_id=journey_id,
                    email=email,
                    client_ip=start.client_ip,
                ),
                why="Emailing a recovery code and link",
            )
            self.identify(email_lookup=requested.email_lookup)
            if requested.admitted and requested.expires_at is not None:
                return requested.expires_at, None
            return None, (
                "Too many reset requests for this address or from your network. "
                f"Please wait {requested.retry_after_seconds} s before trying again."
            )

        email, expires_at = await ask_email(
            self, ForgotPassword, timeout=ANSWER_TIMEOUT, submit=request
        )
        assert expires_at is not None, "an admitted request says when its email expires"
        return email, expires_at

    async def _reset(
        self, journey_id: str, email: str, account: RecoveryAccount
    ) -> tuple[Outcome, type[Screen] | None]:
        """Apply the policy: which proof is needed, then the new password or passkey.

        Returns the outcome and the screen that ends the journey (``None``: the generic one).
        """
        customer_id = account.customer_id
        if not account.has_password:
            if "recovery_code" not in account.factors:
                reason = "Passkey-only account without recovery codes: support-assisted recovery."
                return failed(journey_id, reason), SupportNeeded
            proof = await self._second_factor(customer_id, ["recovery_code"])
            if proof is None:
                return failed(journey_id, "Too many wrong recovery codes. Start again."), None
            created = await create_passkey(
                self, journey_id=journey_id, user_name=email, customer_id=customer_id
            )
            if not created:
                return failed(journey_id, "No passkey could be created. Start again."), None
            method = "passkey"
        else:
            proof = "email"
            if account.factors:
                second = await self._second_factor(customer_id, account.factors)
                if second is None:
                    return failed(journey_id, "Too many wrong attempts. Start again."), None
                proof = second
            await choose_password(
                self,
                NewPassword,
                lambda password: self.step(
                    RecoveryActivities.set_password,
                    SetPassword(
                        journey_id=journey_id,
                        customer_id=customer_id,
                        email=email,
                        password=password,
                    ),
                    why="Hashing the new password",
                ),
                timeout=ANSWER_TIMEOUT,
            )
            method = "password"
        await self.step(
            LoginActivities.reset_throttle,
            ResetThrottle(customer_id=customer_id),
            why="Resetting the sign-in throttle",
        )
        await self.step(
            RecoveryActivities.complete,
            CompleteRecovery(
                journey_id=journey_id, customer_id=customer_id, method=method, proof=proof
            ),
            why="Signing out every session and emailing the customer",
        )
        return redirect(journey_id, to="/login"), PasswordChanged

    async def _second_factor(self, customer_id: str, factors: list[str]) -> str | None:
        """The factor that proved the customer (``totp``, ``passkey``, ``recovery_code``)."""
        return await second_factor(
            self,
            customer_id=customer_id,
            factors=factors,
            choose=ChooseProof,
            totp=EnterAuthenticatorCode,
            code_timeout=ANSWER_TIMEOUT,
        )

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

from pydantic import field_validator
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.activity import ActivityRef
    from contracts.errors import ErrorCode
    from contracts.factors import CheckFactor, FactorActivities, FactorChecked
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
        Choice,
        Journey,
        JourneyStart,
        Outcome,
        Screen,
        Sealed,
        StepTimedOut,
        expired,
        failed,
        field,
        journey,
        redirect,
    )
    from journeys.kit.cancel import JourneyCancelled
    from journeys.kit.fields import email_field, new_password_field
    from journeys.kit.outcomes import cancelled
    from journeys.kit.passkey_steps import OTHER, create_passkey, prove_passkey
    from journeys.kit.prove_email import EnterEmailedCode, prove_email
    from journeys.login import EnterRecoveryCode, EnterTotp

ANSWER_TIMEOUT = timedelta(minutes=30)
MAX_CODE_TRIES = 5
FACTOR_LABELS = {
    "totp": "Authenticator app",
    "passkey": "Passkey",
    "recovery_code": "Recovery code",
}


class ForgotPassword(Screen):
    """Which account to recover."""

    title = "Reset your password"
    intro = (
        "Enter the email address of your account. If it has an account, we email it a code and "
        "a link to reset your password."
    )
    actions = (Action(name="submit", label="Continue"),)

    email: str = email_field()


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


class ChooseProof(Screen):
    """Which second factor proves it's the customer (the template lists only their own)."""

    title = "Confirm it's you"
    intro = "Your account has a second factor. Use it to confirm it's you before the reset."
    actions = (Action(name="submit", label="Continue"),)

    factor: str = field(
        kind="choice",
        label="Confirm with",
        choices=[Choice(value=k, label=v) for k, v in FACTOR_LABELS.items()],
    )

    @field_validator("factor")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in FACTOR_LABELS:
            raise ValueError("Choose one of the listed ways.")
        return value


class EnterAuthenticatorCode(EnterTotp):
    """Login's authenticator-code screen under recovery's own name (recorded histories carry it)."""


class NewPassword(Screen):
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

    @workflow.run
    async def run(self, start: JourneyStart) -> Outcome:
        """Email, proof of the email, a second factor if enrolled, then the new credential."""
        journey_id = workflow.info().workflow_id
        try:
            email, expires_at = await self._request(journey_id, start)
            await prove_email(self, email=email, screen=CheckYourEmail, expires_at=expires_at)
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
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        while True:
            answer = await self.ask(
                ForgotPassword, values=values, errors=errors, timeout=ANSWER_TIMEOUT
            )
            requested = await self.step(
                RecoveryActivities.request,
                RequestRecovery(
                    verification_id=str(workflow.uuid4()),
                    journey_id=journey_id,
                    email=answer.email,
                    client_ip=start.client_ip,
                ),
                why="Emailing a recovery code and link",
            )
            self.identify(email_lookup=requested.email_lookup)
            if requested.admitted and requested.expires_at is not None:
                return answer.email, requested.expires_at
            values = {"email": answer.email}
            errors = {
                "email": "Too many reset requests for this address or from your network. "
                f"Please wait {requested.retry_after_seconds} s before trying again."
            }

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
            proof = await self._second_factor(journey_id, customer_id, ["recovery_code"])
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
                second = await self._second_factor(journey_id, customer_id, account.factors)
                if second is None:
                    return failed(journey_id, "Too many wrong attempts. Start again."), None
                proof = second
            await self._new_password(journey_id, customer_id, email)
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

    async def _second_factor(
        self, journey_id: str, customer_id: str, factors: list[str]
    ) -> str | None:
        """The factor that proved the customer (``totp``, ``passkey``, ``recovery_code``)."""
        chosen = factors[0] if len(factors) == 1 else ""
        errors: dict[str, str] = {}
        while True:
            if not chosen:
                answer = await self.ask(
                    ChooseProof,
                    values={"factor": factors[0]},
                    errors=errors,
                    context={"factors": " ".join(factors)},
                    timeout=ANSWER_TIMEOUT,
                )
                if answer.factor not in factors:
                    errors = {"factor": "Choose one of the listed ways."}
                    continue
                chosen, errors = answer.factor, {}
            proved = await self._prove(journey_id, customer_id, chosen)
            if proved != OTHER:
                return proved
            chosen = "" if len(factors) > 1 else chosen

    async def _prove(self, journey_id: str, customer_id: str, kind: str) -> str | None:
        """One factor: its kind when proven, :data:`OTHER` to choose again, ``None`` to give up."""
        if kind == "passkey":
            why = "Waiting for the customer's passkey"
            proved = await prove_passkey(
                self, journey_id=journey_id, customer_id=customer_id, why=why
            )
            return proved if proved is None or isinstance(proved, str) else kind
        screen: type[EnterAuthenticatorCode] | type[EnterRecoveryCode] = EnterAuthenticatorCode
        check: ActivityRef[CheckFactor, FactorChecked] = FactorActivities.check_totp
        if kind == "recovery_code":
            screen, check = EnterRecoveryCode, FactorActivities.check_recovery_code
        errors: dict[str, str] = {}
        for _ in range(MAX_CODE_TRIES):
            answer = await self.ask(screen, errors=errors, timeout=ANSWER_TIMEOUT)
            if answer.action == OTHER:
                return OTHER
            result = await self.step(
                check,
                CheckFactor(
                    attempt_id=str(workflow.uuid4()),
                    journey_id=journey_id,
                    customer_id=customer_id,
                    code=answer.code,
                ),
                why=f"Checking the {FACTOR_LABELS[kind].lower()}",
            )
            if result.ok:
                return kind
            errors = {"code": result.message}
        return None

    async def _new_password(self, journey_id: str, customer_id: str, email: str) -> None:
        """Ask until the new password passes the policy and is stored."""
        errors: dict[str, str] = {}
        while True:
            answer = await self.ask(NewPassword, errors=errors, timeout=ANSWER_TIMEOUT)
            try:
                await self.step(
                    RecoveryActivities.set_password,
                    SetPassword(
                        journey_id=journey_id,
                        customer_id=customer_id,
                        email=email,
                        password=answer.password,
                    ),
                    why="Hashing the new password",
                )
            except ActivityError as err:
                cause = err.cause
                refused = {ErrorCode.WEAK_PASSWORD, ErrorCode.SEAL_EXPIRED}
                if isinstance(cause, ApplicationError) and cause.type in refused:
                    errors = {"password": cause.message}
                    continue
                raise
            return

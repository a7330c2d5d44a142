"""The ``second_factor`` step: the customer proves one of their own second factors.

One loop for every journey that needs "something you have" on top of what it already proved
(login's step-up, recovery's "email alone never resets an account with a second factor"): when
the customer has several usable factors they choose one (:class:`ChooseFactor`, which offers only
theirs), then the chosen factor's screen asks until it checks out; "Use another way" goes back to
the choice. Each factor kind is one small function here: an authenticator code, a recovery code,
a passkey, a code emailed to the customer.

Commands it issues, in order: per factor tried, the factor's own activities
(``factors.check_totp`` / ``factors.check_recovery_code`` per code, ``passkeys.begin_/
finish_authentication`` per passkey answer, ``factors.send_login_code`` per email sent and
``factors.check_email_code`` per code). Login and recovery issued exactly these before the step
existed, so their histories replay unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pydantic import field_validator
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.activity import ActivityRef
    from contracts.factors import (
        CheckFactor,
        FactorActivities,
        FactorChecked,
        LoginCodeReason,
        SendLoginCode,
    )
    from contracts.sealed import Sealed
    from journeys.kit.fields import code_field
    from journeys.kit.journey import Journey
    from journeys.kit.passkey_steps import OTHER, prove_passkey
    from journeys.kit.resend import Resends
    from journeys.kit.screens import Action, Choice, Screen, field

ANSWER_TIMEOUT = timedelta(minutes=30)
#: How long a code screen waits by default (a sign-in's step-up should not stay open long).
CODE_TIMEOUT = timedelta(minutes=10)
MAX_CODE_TRIES = 5
MAX_EMAIL_SENDS = 3
#: Every factor kind the step knows, with the label the choice shows.
FACTOR_LABELS = {
    "totp": "Authenticator app",
    "passkey": "Passkey",
    "recovery_code": "Recovery code",
    "email": "A code sent to your email",
}
CHOOSE_LISTED = "Choose one of the listed ways."
#: The button that leaves a factor's screen for the choice of another one.
ANOTHER_WAY = Action(name=OTHER, label="Use another way", validate_fields=False, primary=False)


class ChooseFactor(Screen):
    """Which second factor to use: the view offers only the customer's own (``factors``)."""

    title = "Confirm it's you"
    intro = "This sign-in needs a second step. How do you want to confirm it's you?"
    actions = (Action(name="submit", label="Continue"),)

    factor: str = field(
        kind="choice",
        label="Confirm with",
        choices=[Choice(value=k, label=v) for k, v in FACTOR_LABELS.items()],
        offered_by="factors",
    )

    @field_validator("factor")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in FACTOR_LABELS:
            raise ValueError(CHOOSE_LISTED)
        return value


class EnterTotp(Screen):
    """A code from the customer's authenticator app."""

    title = "Enter the code from your authenticator app"
    intro = "Open your authenticator app and enter the 6-digit code shown for Threshold."
    actions = (
        Action(name="submit", label="Verify"),
        ANOTHER_WAY,
    )

    code: Sealed = code_field()


class EnterRecoveryCode(Screen):
    """One of the ten recovery codes (each works once)."""

    title = "Enter a recovery code"
    intro = "Enter one of the recovery codes you saved when you set them up. Each works once."
    actions = (
        Action(name="submit", label="Verify"),
        ANOTHER_WAY,
    )

    code: Sealed = field(
        kind="otp", label="Recovery code", autocomplete="off", min_length=10, max_length=32
    )


class EnterEmailCode(Screen):
    """A 6-digit code we emailed to the customer's address."""

    title = "Check your email"
    intro = "We sent a 6-digit sign-in code to {email}. Enter it below."
    actions = (
        Action(name="submit", label="Verify"),
        Action(name="resend", label="Send a new code", validate_fields=False, primary=False),
        ANOTHER_WAY,
    )

    code: Sealed = code_field()


#: The activity that checks each kind of typed code.
CODE_CHECKS: dict[str, ActivityRef[CheckFactor, FactorChecked]] = {
    "totp": FactorActivities.check_totp,
    "recovery_code": FactorActivities.check_recovery_code,
}


async def second_factor(
    journey: Journey,
    *,
    customer_id: str,
    factors: Sequence[str],
    choose: type[ChooseFactor] = ChooseFactor,
    totp: type[EnterTotp] = EnterTotp,
    email: str = "",
    email_reason: LoginCodeReason = LoginCodeReason.SIGN_IN,
    code_timeout: timedelta = CODE_TIMEOUT,
    why: str = "",
) -> str | None:
    """Ask until one of ``factors`` (the customer's, most preferred first) is proven.

    Args:
        customer_id: whose factors; a code or passkey of anyone else never checks out.
        factors: the kinds to offer (see :data:`FACTOR_LABELS`); unknown kinds are skipped.
        choose: the journey's wording of the choice (a subclass keeps its own screen name).
        totp: the journey's authenticator-code screen.
        email: the customer's address, shown masked on the emailed-code screen.
        email_reason: what the customer proved before, so the emailed code's warning fits it.
        code_timeout: how long each code screen waits for an answer.
        why: written to the journey's current details (support sees why it was asked).

    Returns:
        The kind that was proven, or ``None`` when no factor is usable or the customer gave up
        (too many wrong codes or refused passkeys).

    Raises:
        StepTimedOut: a screen was left unanswered.
    """
    journey_id = workflow.info().workflow_id
    usable = usable_factors(factors)
    if not usable:
        return None
    chosen = usable[0] if len(usable) == 1 else ""
    errors: dict[str, str] = {}
    while True:
        if not chosen:
            answer = await journey.ask(
                choose,
                values={"factor": usable[0]},
                errors=errors,
                context={"factors": " ".join(usable)},
                timeout=ANSWER_TIMEOUT,
                why=why,
            )
            if answer.factor not in usable:
                errors = {"factor": CHOOSE_LISTED}
                continue
            chosen, errors = answer.factor, {}
        if chosen == "passkey":
            proved = await _passkey(journey, journey_id, customer_id, why)
        elif chosen == "email":
            proved = await email_code(
                journey,
                customer_id=customer_id,
                email=email,
                reason=email_reason,
                timeout=code_timeout,
                why=why,
            )
        elif chosen == "recovery_code":
            proved = await _code(
                journey, journey_id, customer_id, chosen, EnterRecoveryCode, code_timeout, why
            )
        else:
            proved = await _code(journey, journey_id, customer_id, chosen, totp, code_timeout, why)
        if proved != OTHER:
            return proved
        chosen = "" if len(usable) > 1 else chosen


def usable_factors(factors: Sequence[str]) -> list[str]:
    """The kinds of ``factors`` this step can prove, in the same order."""
    return [kind for kind in factors if kind in FACTOR_LABELS]


async def email_code(
    journey: Journey,
    *,
    customer_id: str,
    email: str,
    reason: LoginCodeReason,
    timeout: timedelta = CODE_TIMEOUT,
    why: str = "",
) -> str | None:
    """Email the customer a sign-in code and ask for it (with resends): ``"email"`` when it
    checks out, :data:`OTHER` for another way, ``None`` after too many wrong codes.

    Also a first factor on its own (login's proof of control before linking an upstream
    identity). ``reason`` names that path to the email, whose warning depends on it.
    """
    journey_id = workflow.info().workflow_id
    resends = Resends(limit=MAX_EMAIL_SENDS)
    await _send_code(journey, journey_id, customer_id, reason)
    resends.sent()
    errors: dict[str, str] = {}
    notice = ""
    context = {"email": mask_email(email)}
    for _ in range(MAX_CODE_TRIES + MAX_EMAIL_SENDS):
        answer = await journey.ask(
            EnterEmailCode,
            errors=errors,
            notice=notice,
            context=context,
            timeout=timeout,
            why=why,
        )
        errors, notice = {}, ""
        if answer.action == OTHER:
            return OTHER
        if answer.action == "resend":
            if resends.spent:
                notice = "You asked for several codes already; use the newest one."
            else:
                notice = resends.wait_notice()
            if not notice:
                await _send_code(journey, journey_id, customer_id, reason)
                resends.sent()
                notice = "We sent you a new code."
            continue
        result = await journey.step(
            FactorActivities.check_email_code,
            CheckFactor(
                attempt_id=str(workflow.uuid4()),
                journey_id=journey_id,
                customer_id=customer_id,
                code=answer.code,
            ),
            why=f"Checking the emailed code. {why}",
        )
        if result.ok:
            return "email"
        errors = {"code": result.message}
    return None


def mask_email(email: str) -> str:
    """``a•••••@example.com``: enough for the customer to recognise, little for a shoulder."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{'•' * min(max(len(local) - 1, 1), 6)}@{domain}"


async def _send_code(
    journey: Journey, journey_id: str, customer_id: str, reason: LoginCodeReason
) -> None:
    await journey.step(
        FactorActivities.send_login_code,
        SendLoginCode(
            verification_id=str(workflow.uuid4()),
            journey_id=journey_id,
            customer_id=customer_id,
            reason=reason,
        ),
        why="Emailing a sign-in code",
    )


async def _code(
    journey: Journey,
    journey_id: str,
    customer_id: str,
    kind: str,
    screen: type[EnterTotp] | type[EnterRecoveryCode],
    timeout: timedelta,
    why: str,
) -> str | None:
    errors: dict[str, str] = {}
    for _ in range(MAX_CODE_TRIES):
        answer = await journey.ask(screen, errors=errors, timeout=timeout, why=why)
        if answer.action == OTHER:
            return OTHER
        result = await journey.step(
            CODE_CHECKS[kind],
            CheckFactor(
                attempt_id=str(workflow.uuid4()),
                journey_id=journey_id,
                customer_id=customer_id,
                code=answer.code,
            ),
            why=f"Checking the {FACTOR_LABELS[kind].lower()}. {why}".strip(),
        )
        if result.ok:
            return kind
        errors = {"code": result.message}
    return None


async def _passkey(journey: Journey, journey_id: str, customer_id: str, why: str) -> str | None:
    proved = await prove_passkey(journey, journey_id=journey_id, customer_id=customer_id, why=why)
    return proved if proved is None or isinstance(proved, str) else "passkey"

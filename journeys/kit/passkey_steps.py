"""Passkey steps a journey composes: create a passkey, or prove one, through a ``passkey`` field.

Each ceremony is begun by an activity (a challenge bound to this journey, spent once, five minutes
to answer), shown as a screen whose ``passkey`` field carries the options to the browser, and
finished by an activity that verifies the answer with ``webauthn``. A refused answer shows the
activity's precise sentence and starts a fresh ceremony, at most :data:`MAX_PASSKEY_TRIES` times.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.errors import ErrorCode
    from contracts.passkeys import (
        AuthenticatedPasskey,
        BeginPasskeyAuthentication,
        BeginPasskeyRegistration,
        FinishPasskeyCeremony,
        PasskeyActivities,
    )
    from journeys.kit.journey import Journey
    from journeys.kit.screens import Action, Screen, field

MAX_PASSKEY_TRIES = 5
PASSKEY_TIMEOUT = timedelta(hours=1)
#: Passkey answers are a few hundred bytes with attestation "none"; this leaves room for more.
MAX_ANSWER_CHARS = 4096
#: The action that leaves a passkey screen for another way (same name as the login journey's).
OTHER = "other"
#: Said when a form arrives without an answer: no JavaScript, or no WebAuthn in this browser.
NO_ANSWER = (
    "Your browser sent no passkey. Passkeys need JavaScript and a browser that supports them; "
    "use another way to continue."
)


class PasskeyDeclined(Exception):
    """The customer pressed :data:`OTHER` on a :func:`create_passkey` screen that offered it."""


def passkey_field(label: str, *, required: bool = True, help: str | None = None) -> Any:
    """A ``passkey`` field: the page's script writes the browser's answer (JSON) into it."""
    return field(
        kind="passkey", label=label, required=required, help=help, max_length=MAX_ANSWER_CHARS
    )


class CreatePasskey(Screen):
    """Asks the browser to create a passkey (a discoverable credential) for this account."""

    title = "Create your passkey"
    intro = (
        "Your device will ask you to confirm with your fingerprint, face, screen lock or security "
        "key. The passkey stays on your device (or in its password manager); we keep only its "
        "public key."
    )
    actions: ClassVar[tuple[Action, ...]] = (Action(name="submit", label="Create passkey"),)

    passkey: str = passkey_field("Passkey", help="Press the button and follow your browser.")


class UsePasskey(Screen):
    """Asks the browser to prove one of the customer's passkeys (a second step)."""

    title = "Confirm with your passkey"
    intro = "Use one of the passkeys you created for this account."
    actions = (
        Action(name="submit", label="Use my passkey"),
        Action(name=OTHER, label="Use another way", validate_fields=False, primary=False),
    )

    passkey: str = passkey_field("Passkey", help="Press the button and follow your browser.")


async def create_passkey(
    journey: Journey,
    *,
    journey_id: str,
    user_name: str,
    customer_id: str | None = None,
    name: str = "Passkey",
    screen: type[CreatePasskey] = CreatePasskey,
) -> bool:
    """Show ``screen`` until a passkey is stored; ``False`` after too many refusals.

    Without ``customer_id`` (registration) the passkey waits for ``identity.create_customer``.
    A ``screen`` that offers the :data:`OTHER` action raises :class:`PasskeyDeclined` when it is
    pressed. Raises :class:`~journeys.kit.StepTimedOut` if the customer leaves it for an hour.
    """
    errors: dict[str, str] = {}
    for _ in range(MAX_PASSKEY_TRIES):
        begun = await journey.step(
            PasskeyActivities.begin_registration,
            BeginPasskeyRegistration(
                journey_id=journey_id,
                ceremony_id=str(workflow.uuid4()),
                user_name=user_name,
                customer_id=customer_id,
            ),
            why="Preparing a passkey request",
        )
        answer = await journey.ask(
            screen,
            values={"passkey": begun.options},
            errors=errors,
            timeout=PASSKEY_TIMEOUT,
            why="Waiting for the browser to create a passkey",
        )
        if answer.action == OTHER:
            raise PasskeyDeclined
        if not answer.passkey:
            errors = {"passkey": NO_ANSWER}
            continue
        try:
            await journey.step(
                PasskeyActivities.finish_registration,
                FinishPasskeyCeremony(
                    journey_id=journey_id,
                    ceremony_id=begun.ceremony_id,
                    response=answer.passkey,
                    name=name,
                ),
                why="Verifying the new passkey",
            )
        except ActivityError as err:
            errors = {"passkey": refusal(err)}
            continue
        return True
    return False


async def begin_passkey_sign_in(
    journey: Journey, *, journey_id: str, customer_id: str | None = None
) -> tuple[str, str]:
    """Begin an authentication ceremony: ``(ceremony_id, options)`` for a ``passkey`` field.

    Without ``customer_id`` any discoverable passkey may answer (sign-in, autofill); with it only
    that customer's passkeys are offered (step-up).
    """
    begun = await journey.step(
        PasskeyActivities.begin_authentication,
        BeginPasskeyAuthentication(
            journey_id=journey_id, ceremony_id=str(workflow.uuid4()), customer_id=customer_id
        ),
        why="Preparing a passkey request",
    )
    return begun.ceremony_id, begun.options


async def finish_passkey_sign_in(
    journey: Journey, *, journey_id: str, ceremony_id: str, answer: str
) -> AuthenticatedPasskey | str:
    """Verify the browser's answer: who it proved, or the sentence saying why it was refused."""
    if not answer:
        return NO_ANSWER
    try:
        return await journey.step(
            PasskeyActivities.finish_authentication,
            FinishPasskeyCeremony(journey_id=journey_id, ceremony_id=ceremony_id, response=answer),
            why="Verifying the passkey",
        )
    except ActivityError as err:
        return refusal(err)


async def prove_passkey(
    journey: Journey, *, journey_id: str, customer_id: str, why: str = ""
) -> AuthenticatedPasskey | str | None:
    """Step-up: :class:`UsePasskey` until one of the customer's passkeys is proven.

    Returns the proof, :data:`OTHER` when the customer chose another way, or ``None`` after too
    many refusals.
    """
    errors: dict[str, str] = {}
    for _ in range(MAX_PASSKEY_TRIES):
        ceremony_id, options = await begin_passkey_sign_in(
            journey, journey_id=journey_id, customer_id=customer_id
        )
        answer = await journey.ask(
            UsePasskey,
            values={"passkey": options},
            errors=errors,
            timeout=PASSKEY_TIMEOUT,
            why=why or "Waiting for the customer's passkey",
        )
        if answer.action == OTHER:
            return OTHER
        proved = await finish_passkey_sign_in(
            journey, journey_id=journey_id, ceremony_id=ceremony_id, answer=answer.passkey
        )
        if not isinstance(proved, str):
            return proved
        errors = {"passkey": proved}
    return None


def refusal(err: ActivityError) -> str:
    """The customer-facing sentence of a refused passkey answer; re-raises anything else."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == ErrorCode.PASSKEY_REJECTED:
        return cause.message
    raise err

"""The ``reauthenticate`` step: the signed-in customer proves again that they are who the session
says, before a sensitive change (their email, their password).

It asks for the password of *this* customer (``login.check_password`` by ``customer_id``, so the
login throttle and lockout count these attempts like any sign-in, and the message is the same for
every failure) or for one of *this* customer's passkeys (the ceremony offers only theirs, and an
answer proving anyone else is refused). A customer is never proven by another account's secret.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.login import CheckPassword, LoginActivities
    from contracts.sealed import Sealed
    from journeys.kit.journey import Journey
    from journeys.kit.passkey_steps import (
        begin_passkey_sign_in,
        finish_passkey_sign_in,
        passkey_field,
    )
    from journeys.kit.screens import Action, Screen, field

ANSWER_TIMEOUT = timedelta(minutes=30)
#: Tries in one journey; the login throttle limits the account across journeys too.
MAX_TRIES = 10
WITH_PASSKEY = "passkey"
NOT_YOURS = "This passkey belongs to another account. Use one of yours."


class ConfirmItsYou(Screen):
    """The signed-in customer's password again, or one of their passkeys."""

    title = "Confirm it's you"
    intro = "For your security, enter your password again to continue."
    actions = (
        Action(name="submit", label="Continue"),
        Action(name=WITH_PASSKEY, label="Use a passkey", validate_fields=False, primary=False),
    )

    password: Sealed = field(
        kind="password", label="Password", autocomplete="current-password", max_length=256
    )
    passkey: str | None = passkey_field(
        "Passkey", required=False, help="No password? Use one of your passkeys."
    )


async def reauthenticate(
    journey: Journey,
    *,
    customer_id: str,
    client_ip: str = "",
    device: str = "",
    max_tries: int = MAX_TRIES,
    timeout: timedelta = ANSWER_TIMEOUT,
) -> list[str] | None:
    """Ask until ``customer_id`` is proven: the proof's ``amr`` (``["pwd"]``, a passkey's), or
    ``None`` after ``max_tries`` failures. ``client_ip`` and ``device`` (from the
    :class:`~contracts.journey.JourneyStart`) feed the login throttle.

    Raises:
        StepTimedOut: the customer left the screen for ``timeout``.
    """
    journey_id = workflow.info().workflow_id
    form_errors: list[str] = []
    for _ in range(max_tries):
        ceremony_id, options = await begin_passkey_sign_in(
            journey, journey_id=journey_id, customer_id=customer_id
        )
        answer = await journey.ask(
            ConfirmItsYou,
            values={"passkey": options},
            form_errors=form_errors,
            timeout=timeout,
            why="Re-authenticating the customer",
        )
        if answer.action == WITH_PASSKEY:
            proved = await finish_passkey_sign_in(
                journey, journey_id=journey_id, ceremony_id=ceremony_id, answer=answer.passkey or ""
            )
            if isinstance(proved, str):
                form_errors = [proved]
            elif proved.customer_id != customer_id:
                form_errors = [NOT_YOURS]
            else:
                return proved.amr
            continue
        checked = await journey.step(
            LoginActivities.check_password,
            CheckPassword(
                attempt_id=str(workflow.uuid4()),
                journey_id=journey_id,
                password=answer.password,
                client_ip=client_ip,
                customer_id=customer_id,
                device=device,
            ),
            why="Checking the password",
        )
        if checked.ok and checked.customer_id == customer_id:
            return ["pwd"]
        form_errors = [checked.message]
    return None

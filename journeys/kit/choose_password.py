"""The ``choose_password`` step: ask for a new password until the activity storing it accepts it.

Every journey that sets a password (registration's password instead of a passkey, recovery,
invitation, change password) asks the same way: the screen's sealed ``password`` (its length
checked by the web before sealing, :func:`~journeys.kit.fields.new_password_field`) goes to the
journey's own activity, which opens it and applies the NIST checks. A refusal the customer can fix
(``WEAK_PASSWORD``, or ``SEAL_EXPIRED`` when the page sat too long) is shown on the field and the
screen asked again; any other failure is the journey's to handle. Journeys keep their own screen
(its texts, its label) by subclassing :class:`EnterNewPassword`.

Commands it issues: per answer, the journey's own storing activity, nothing else; the journeys
issued exactly these before the step existed, so their histories replay unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.errors import ErrorCode
    from contracts.sealed import Sealed
    from journeys.kit.fields import new_password_field
    from journeys.kit.journey import Journey
    from journeys.kit.screens import Action, Screen

#: Refusals the customer fixes by choosing again, shown on the password field.
CHOOSE_AGAIN = frozenset({ErrorCode.WEAK_PASSWORD, ErrorCode.SEAL_EXPIRED})


class EnterNewPassword(Screen):
    """Base of a "choose a password" screen: subclass it to word it for your journey (a subclass
    keeps its own screen name; redeclare ``password`` for another label)."""

    title = "Choose a password"
    actions = (Action(name="submit", label="Save password"),)

    password: Sealed = new_password_field()


P = TypeVar("P", bound=EnterNewPassword)


async def choose_password(
    journey: Journey,
    screen: type[P],
    save: Callable[[Sealed], Awaitable[object]],
    *,
    timeout: timedelta,
) -> P:
    """Ask ``screen`` until ``save(password)`` (the journey's activity) accepts the password.

    Returns the accepted answer. Raises :class:`~journeys.kit.StepTimedOut` after ``timeout``
    unanswered, and the ``ActivityError`` of any refusal other than :data:`CHOOSE_AGAIN`.
    """
    errors: dict[str, str] = {}
    while True:
        answer = await journey.ask(screen, errors=errors, timeout=timeout)
        try:
            await save(answer.password)
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type in CHOOSE_AGAIN:
                errors = {"password": cause.message}
                continue
            raise
        return answer

"""The ``ask_email`` step: ask for an address until what the journey does with it is accepted.

Magic link, recovery and change of email each ask for an address, hand it to their own activity
(admit a request, stage a change) and, when that activity turns it down, ask again with the
address kept and the reason under it. Journeys keep their own screen (its texts, the field's
label) by subclassing :class:`EnterEmail`, and their own activity in ``submit``.

Commands it issues: only those ``submit`` issues, once per answer; the step itself adds none, so
the journeys' histories from before it replay unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journeys.kit.fields import email_field
    from journeys.kit.journey import Journey
    from journeys.kit.screens import Screen

T = TypeVar("T")


class EnterEmail(Screen):
    """A screen that asks for one email address."""

    email: str = email_field()


async def ask_email(
    journey: Journey,
    screen: type[EnterEmail],
    *,
    timeout: timedelta,
    submit: Callable[[str], Awaitable[tuple[T, str | None]]],
) -> tuple[str, T]:
    """``(address, what submit made of it)`` once ``submit`` accepts an address.

    ``submit`` returns what it made of the address and why it turned it down, ``None`` when it
    accepts it. Raises ``StepTimedOut`` when the screen waits longer than ``timeout``.
    """
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    while True:
        answer = await journey.ask(screen, values=values, errors=errors, timeout=timeout)
        result, refused = await submit(answer.email)
        if refused is None:
            return answer.email, result
        values = {"email": answer.email}
        errors = {"email": refused}

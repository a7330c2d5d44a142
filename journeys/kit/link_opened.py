"""The ``link_opened`` step: wait until an emailed link is opened and confirmed, or expires.

For a journey whose email carries a link alone (an invitation, the undo link of a change): the
screen waits for ``EmailLinkClicked`` (the generic link route delivers it once the link's page is
confirmed by a POST, on any device), the journey's own activity checks the sealed token, and a
refused link says why on the same screen. Unlike :func:`~journeys.kit.prove_email.prove_email`
there is no code to type and nothing to resend.

Commands it issues: a timer until the link expires, then per click the journey's checking
activity. The invitation and the undo window issued exactly these before the step existed, so
their histories replay unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.sealed import Sealed
    from contracts.verification import CheckResult
    from journeys.kit.events import EmailLinkClicked
    from journeys.kit.journey import Journey, StepTimedOut
    from journeys.kit.screens import Screen


async def link_opened(
    journey: Journey,
    *,
    screen: type[Screen],
    expires_at: datetime,
    check: Callable[[Sealed], Awaitable[CheckResult]],
    why: str,
) -> bool:
    """``True`` once a click's token checks out (``check``, the journey's activity); ``False``
    when ``expires_at`` passes first. ``screen`` is what the journey shows meanwhile (it offers
    no action) and ``why`` goes to the journey's current details."""
    form_errors: list[str] = []
    while True:
        try:
            answer = await journey.wait_for(
                EmailLinkClicked,
                screen=screen,
                timeout=max(expires_at - workflow.now(), timedelta(seconds=1)),
                form_errors=form_errors,
                why=why,
            )
        except StepTimedOut:
            return False
        if not isinstance(answer, EmailLinkClicked):
            continue
        result = await check(answer.token)
        if result.ok:
            return True
        form_errors = [result.message]

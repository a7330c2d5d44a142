"""The ``undo_window`` step: after a change, email a link that undoes it for a while.

A journey that changed something the customer may not have asked for (their email address) calls
:func:`undo_window` and finishes as usual; the window itself is a small internal journey,
``undo-window``, started as an abandoned child so it outlives its parent. It emails the link
(``verification.send_code``: a 256-bit token kept as a keyed hash, bound to this workflow, spent
once), then waits on a durable timer for the link to be opened and confirmed by a POST (the
generic ``/j/undo-window/<id>/link`` route delivers ``EmailLinkClicked``). A link that checks out
runs the compensating activity the parent named, then emits the outbox event the parent named
(if any); when the timer fires first the window closes (``JourneyStatus=expired``) and nothing
happens. The email is a ``link`` email: it carries the link alone, nothing to type, and the
verification stored for it proves the address by its link only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from contracts.activity import ActivityRef
    from contracts.emails import EmailPurpose
    from contracts.journey import JourneyStart
    from contracts.links import LinkPage
    from contracts.verification import (
        CheckLink,
        SendCode,
        VerificationActivities,
    )
    from journeys.kit.activities import DEFAULT_ACTIVITY_TIMEOUT, DEFAULT_RETRY
    from journeys.kit.journey import Journey
    from journeys.kit.link_opened import link_opened
    from journeys.kit.outcomes import Outcome, expired, redirect
    from journeys.kit.registry import journey
    from journeys.kit.screens import Screen
    from journeys.outbox import emit

I = TypeVar("I", bound=BaseModel)  # noqa: E741 - the compensating activity's input
NAME = "undo-window"


class UndoStart(JourneyStart):
    """What to offer: the email with the link, how long it works, and the compensating step."""

    email: str
    #: ``templates/emails/<template>.jinja``, a ``link`` email whose link undoes.
    template: str
    within_minutes: int
    #: The activity that undoes the change, and its input (validated by the activity's type).
    undo_activity: str
    undo_input: dict[str, Any]
    #: The outbox event to emit once undone (``data.undone`` is true); empty: none. Windows
    #: started before it existed have none, so their commands depend on their input alone.
    event: str = ""


class UndoOffered(Screen):
    """Nobody answers this screen: the window waits for the emailed link."""

    title = "Waiting for the undo link"
    intro = "The emailed link undoes the change until the window closes."
    actions = ()


class Undone(Screen):
    """The final view once the compensating step ran."""

    title = "The change was undone"
    intro = "We put things back as they were and signed you out everywhere."


@journey(NAME)
class UndoWindow(Journey):
    """The undo window (see the module docstring); started only by :func:`undo_window`."""

    link_page = LinkPage(
        title="Undo the change to your account",
        intro="Press the button to undo the change and sign out on every device.",
        button="Undo the change",
        done_title="The change was undone",
        done="We put things back as they were and signed you out everywhere. Sign in again.",
        gone="It was already used, or the time to undo the change has passed.",
    )

    @workflow.run
    async def run(self, start: UndoStart) -> Outcome:
        """Email the link, wait for it (or the timer), then undo."""
        journey_id = workflow.info().workflow_id
        self.identify(customer_id=start.customer_id)
        sent = await self.step(
            VerificationActivities.send_code,
            SendCode(
                verification_id=str(workflow.uuid4()),
                journey_id=journey_id,
                journey=NAME,
                email=start.email,
                template=start.template,
                purpose=EmailPurpose.LINK,
                lifetime_minutes=start.within_minutes,
            ),
            why="Emailing the undo link",
        )
        opened = await link_opened(
            self,
            screen=UndoOffered,
            expires_at=sent.link_expires_at,
            check=lambda token: self.step(
                VerificationActivities.check_link,
                CheckLink(journey_id=journey_id, token=token),
                why="Checking the undo link",
            ),
            why="Waiting for the undo link until the window closes",
        )
        if not opened:
            return await self.finish(expired(journey_id, "The undo window closed unused."))
        await workflow.execute_activity(
            start.undo_activity,
            start.undo_input,
            start_to_close_timeout=DEFAULT_ACTIVITY_TIMEOUT,
            retry_policy=DEFAULT_RETRY,
        )
        if start.event:
            await emit(self, start.event, start.customer_id, {"undone": True})
        return await self.finish(redirect(journey_id, to="/login"), screen=Undone)


async def undo_window(
    journey: Journey,
    *,
    customer_id: str,
    email: str,
    template: str,
    within: timedelta,
    undo: ActivityRef[I, Any],
    undo_input: I,
    event: str = "",
) -> str:
    """Email ``email`` a link that runs ``undo(undo_input)`` if opened within ``within``, then
    emits ``event`` (the change's own outbox event, with ``undone``) unless it is empty.

    Returns the id of the window's workflow (support finds it by ``CustomerId`` too). The parent
    may finish at once: the window is abandoned to run on its own.
    """
    window_id = f"{NAME}-{workflow.uuid4()}"
    await workflow.start_child_workflow(
        NAME,
        UndoStart(
            customer_id=customer_id,
            email=email,
            template=template,
            within_minutes=int(within.total_seconds() // 60),
            undo_activity=undo.name,
            undo_input=undo_input.model_dump(mode="json"),
            event=event,
        ),
        id=window_id,
        parent_close_policy=ParentClosePolicy.ABANDON,
    )
    return window_id

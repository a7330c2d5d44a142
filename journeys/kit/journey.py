"""The ``Journey`` base class: a workflow whose ``run`` reads like a script of screens and steps.

The base owns the conversation with the web layer so a journey author never writes a handler:

* ``submit`` (update): one form post; its validator rejects a stale screen, a replayed post or a
  malformed form *before* anything enters history, and the handler returns the next screen, so one
  HTTP POST is one update round-trip.
* ``deliver`` (update): an out-of-band event such as an email link clicked on another device.
* ``open`` (update, used with update-with-start) and ``view`` (query): the current screen.
* ``support`` (update): a staff action on the live journey (see :mod:`journeys.kit.support`).

Authors call :meth:`Journey.ask`, :meth:`Journey.wait_for`, :meth:`Journey.show`,
:meth:`Journey.step` and :meth:`Journey.finish`; each keeps the ``JourneyStep``/``JourneyStatus``
search attributes and the Temporal UI's current details in step with what the customer sees.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar, Literal, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.activity import ActivityRef
    from contracts.errors import ErrorCode
    from contracts.journey import Event, EventEnvelope
    from contracts.links import LinkPage
    from contracts.support import (
        MAX_EXTEND_MINUTES,
        SUPPORT_REFUSED,
        SupportActed,
        SupportActivities,
        SupportReply,
        SupportRequest,
    )
    from journeys.kit.activities import DEFAULT_ACTIVITY_TIMEOUT, DEFAULT_RETRY, run_activity
    from journeys.kit.cancel import JourneyCancelled
    from journeys.kit.outcomes import Outcome
    from journeys.kit.screens import (
        InvalidSubmission,
        Screen,
        ScreenView,
        Submission,
        ViewStatus,
    )
    from journeys.kit.search import (
        CUSTOMER_ID,
        EMAIL_LOOKUP,
        JOURNEY_NAME,
        JOURNEY_STATUS,
        JOURNEY_STEP,
    )
    from journeys.patches import SHOWN_STEP

Entry = Literal["public", "signed_in", "internal"]
S = TypeVar("S", bound=Screen)
E = TypeVar("E", bound="Event")
A = TypeVar("A")
R = TypeVar("R")


class StepTimedOut(Exception):
    """Raised by :meth:`Journey.ask`/:meth:`Journey.wait_for` when the customer took too long."""


class Journey:
    """Base class of every journey workflow (see the module docstring for the protocol)."""

    journey_name: ClassVar[str] = ""
    #: Who may start it at ``/j/<name>`` (set by ``@journey``): anyone (``public``), the signed-in
    #: customer (``signed_in``, started for the session's customer), or nobody (``internal``:
    #: started by the platform itself, e.g. deprovisioning).
    entry: ClassVar[Entry] = "internal"
    #: For ``signed_in`` journeys: how recent the customer's last authentication must be.
    recent_auth: ClassVar[timedelta | None] = None
    #: For ``signed_in`` journeys: the label of the account page's link to it ("" = no link).
    account_link: ClassVar[str] = ""
    #: Staff actions this journey accepts through the ``support`` update (journeys.kit.support).
    support_actions: ClassVar[frozenset[str]] = frozenset()
    #: The journey's screens in order, so ``/support/funnels`` can count who reached each one.
    funnel_steps: ClassVar[tuple[str, ...]] = ()
    #: ``Referrer-Policy`` of this journey's pages ("" keeps the app's default); a journey whose
    #: URLs came from an emailed secret (recovery) sets ``"no-referrer"``.
    referrer_policy: ClassVar[str] = ""
    #: The words of this journey's emailed-link pages (``/j/<name>/<id>/link``), e.g. registration's
    #: "Confirm your email"; the defaults are neutral.
    link_page: ClassVar[LinkPage] = LinkPage()

    def __init__(self) -> None:
        self._seq = 0
        self._view: ScreenView | None = None
        self._screen: type[Screen] | None = None
        self._accepting = False
        self._expects: dict[str, type[Event]] = {}
        self._answer: Submission | None = None
        self._event: EventEnvelope | None = None
        self._finished = False
        self._step = ""
        self._status = ""
        self._customer_id = ""
        self._deadline: datetime | None = None
        self._support: list[tuple[str, SupportRequest]] = []
        self._support_replies: dict[str, SupportReply] = {}
        self._support_after: dict[str, int] = {}

    # ----- handlers the web layer talks to -------------------------------------------------

    @workflow.update
    async def open(self) -> ScreenView:
        """Return the first screen once the journey has drawn it (used by update-with-start)."""
        await workflow.wait_condition(lambda: self._view is not None)
        assert self._view is not None
        return self._view

    @workflow.query
    def view(self) -> ScreenView | None:
        """The screen the customer should see now; cheap, and never written to history."""
        return self._view

    @workflow.update
    async def submit(self, submission: Submission) -> ScreenView:
        """Hand a form post to the waiting ``ask`` and return the screen that follows it."""
        self._check_current(submission)
        self._answer = submission
        self._accepting = False
        return await self._view_after(submission.seq)

    @submit.validator
    def _validate_submit(self, submission: Submission) -> None:
        self._check_current(submission)
        assert self._screen is not None
        try:
            self._screen.parse(submission)
        except InvalidSubmission as exc:
            raise ApplicationError(
                str(exc),
                {"fields": exc.field_errors, "form": exc.form_errors},
                type=ErrorCode.INVALID_SUBMISSION,
                non_retryable=True,
            ) from None

    @workflow.update
    async def deliver(self, event: EventEnvelope) -> ScreenView:
        """Hand an out-of-band event to the waiting ``wait_for`` and return the next screen."""
        self._check_expected(event)
        seq = self._seq
        self._event = event
        self._accepting = False
        return await self._view_after(seq)

    @deliver.validator
    def _validate_deliver(self, event: EventEnvelope) -> None:
        self._check_expected(event)

    @workflow.update
    async def support(self, request: SupportRequest) -> SupportReply:
        """Queue a staff action for the waiting ``ask``/``wait_for`` and report what it did."""
        info = workflow.current_update_info()
        key = info.id if info is not None else str(workflow.uuid4())
        self._support.append((key, request))
        await workflow.wait_condition(lambda: self._support_done(key))
        if key in self._support_after and self._view is not None:
            reply = SupportReply(
                action=request.action, done=True, message=self._view.notice or self._view.title
            )
        else:
            reply = self._support_replies.pop(
                key,
                SupportReply(action=request.action, done=False, message="The journey ended first."),
            )
        self._support_after.pop(key, None)
        return reply

    @support.validator
    def _validate_support(self, request: SupportRequest) -> None:
        problem = self._support_problem(request)
        if problem:
            raise ApplicationError(problem, type=SUPPORT_REFUSED, non_retryable=True)

    # ----- the authoring API ---------------------------------------------------------------

    async def ask(
        self,
        screen: type[S],
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        form_errors: list[str] | None = None,
        notice: str = "",
        context: dict[str, str] | None = None,
        timeout: timedelta | None = None,
        why: str = "",
    ) -> S:
        """Show ``screen`` and wait for a valid submission of it.

        Raises :class:`StepTimedOut` after ``timeout``; late posts are then rejected as stale.
        """
        answer = await self._present(
            screen, {}, values, errors, form_errors, notice, context, timeout, why
        )
        assert isinstance(answer, screen)
        return answer

    async def wait_for(
        self,
        event: type[E],
        *,
        screen: type[S],
        timeout: timedelta,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        form_errors: list[str] | None = None,
        notice: str = "",
        context: dict[str, str] | None = None,
        why: str = "",
    ) -> E | S:
        """Show ``screen`` live while waiting for ``event``; whichever arrives first is returned.

        The screen may itself accept input (e.g. "enter the code we emailed, or click the link").
        """
        answer = await self._present(
            screen,
            {event.event_name(): event},
            values,
            errors,
            form_errors,
            notice,
            context,
            timeout,
            why,
        )
        assert isinstance(answer, event | screen)
        return answer

    def show(self, screen: type[Screen], *, context: dict[str, str] | None = None) -> None:
        """Show a screen that needs no answer while the journey works or ends.

        It becomes the journey's ``JourneyStep`` like an asked screen, so the Temporal UI and the
        funnels see the journey there (deprovisioning's ``awaiting-acknowledgements``).
        """
        self._seq += 1
        self._screen = screen
        self._accepting = False
        self._expects = {}
        self._view = screen.render(journey=self.journey_name, seq=self._seq, context=context)
        if workflow.patched(SHOWN_STEP):
            self._mark(screen.screen_name(), self._view.status, screen.title)

    async def step(
        self,
        activity: ActivityRef[A, R],
        arg: A,
        *,
        timeout: timedelta = DEFAULT_ACTIVITY_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        why: str = "",
    ) -> R:
        """Run one side effect as an activity with an explicit timeout and retry policy.

        ``activity`` is a typed reference from ``contracts`` (e.g.
        ``IdentityActivities.create_customer``). Activities must be idempotent: Temporal may run
        one more than once.
        """
        if why:
            self._mark(self._step, self._status, why)
        return await run_activity(activity, arg, timeout=timeout, retry=retry)

    def identify(self, *, customer_id: str | None = None, email_lookup: str | None = None) -> None:
        """Record who this journey is about, so support can find it in the Temporal UI."""
        updates = []
        if customer_id:
            self._customer_id = customer_id
            updates.append(CUSTOMER_ID.value_set(customer_id))
        if email_lookup:
            updates.append(EMAIL_LOOKUP.value_set(email_lookup))
        if updates:
            workflow.upsert_search_attributes(updates)

    async def finish(self, outcome: Outcome, *, screen: type[Screen] | None = None) -> Outcome:
        """End the journey: publish the final view and let in-flight handlers answer first."""
        status = {"signed_in": "completed", "redirect": "completed"}.get(outcome.kind, outcome.kind)
        self._seq += 1
        self._finished = True
        self._accepting = False
        self._expects = {}
        view_status: ViewStatus = "done"
        if outcome.kind in ("expired", "failed", "cancelled"):
            view_status = "expired" if outcome.kind == "expired" else "failed"
        title = screen.title if screen else _FINAL_TITLES[outcome.kind]
        self._view = ScreenView(
            journey=self.journey_name,
            screen=screen.screen_name() if screen else outcome.kind,
            seq=self._seq,
            title=title,
            intro=screen.intro if screen else outcome.reason,
            status=view_status,
            outcome=outcome.model_dump(),
        )
        workflow.metric_meter().create_counter(
            "threshold_journey_outcomes", "Journeys finished, by journey, last step and outcome"
        ).add(1, {"journey": self.journey_name, "step": self._step or "finish", "outcome": status})
        self._mark(self._step or "finish", status, outcome.reason or title)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return outcome

    # ----- internals -----------------------------------------------------------------------

    async def _present(
        self,
        screen: type[S],
        events: dict[str, type[Event]],
        values: dict[str, str] | None,
        errors: dict[str, str] | None,
        form_errors: list[str] | None,
        notice: str,
        context: dict[str, str] | None,
        timeout: timedelta | None,
        why: str,
    ) -> Event | Screen:
        self._seq += 1
        self._screen = screen
        self._expects = events
        status: ViewStatus = "waiting" if events else "active"
        self._view = screen.render(
            journey=self.journey_name,
            seq=self._seq,
            values=values,
            errors=errors,
            form_errors=form_errors,
            notice=notice,
            context=context,
            status=status,
            live=bool(events),
        )
        self._accepting = True
        self._mark(screen.screen_name(), status, why or screen.title)
        self._deadline = None if timeout is None else workflow.now() + timeout
        while True:
            remaining = None if self._deadline is None else self._deadline - workflow.now()
            try:
                if remaining is not None and remaining <= timedelta(0):
                    raise TimeoutError
                await workflow.wait_condition(
                    lambda: (
                        self._answer is not None or self._event is not None or bool(self._support)
                    ),
                    timeout=remaining,
                )
            except TimeoutError:
                self._accepting = False
                self._expects = {}
                raise StepTimedOut(screen.screen_name()) from None
            if self._answer is not None or self._event is not None:
                break
            pressed = await self._serve_support(screen)
            if pressed is not None:
                self._accepting = False
                self._expects = {}
                return pressed
        self._accepting = False
        self._expects = {}
        if self._event is not None:
            envelope, self._event = self._event, None
            return events[envelope.name].model_validate(envelope.data)
        assert self._answer is not None
        submission, self._answer = self._answer, None
        return screen.parse(submission)

    async def _serve_support(self, screen: type[Screen]) -> Screen | None:
        """Run one queued staff action; returns the answer when it pressed a screen button."""
        key, request = self._support.pop(0)
        problem = self._support_problem(request)
        if problem:
            self._support_replies[key] = SupportReply(
                action=request.action, done=False, message=problem
            )
            return None
        await workflow.execute_activity(
            SupportActivities.record_action.name,
            SupportActed(
                request_id=key,
                journey_id=workflow.info().workflow_id,
                journey=self.journey_name,
                action=request.action,
                staff_id=request.staff_id,
                reason=request.reason,
                customer_id=self._customer_id,
            ),
            start_to_close_timeout=DEFAULT_ACTIVITY_TIMEOUT,
            retry_policy=DEFAULT_RETRY,
        )
        self._mark(self._step, self._status, f"Staff {request.staff_id}: {request.action}")
        if request.action == "cancel":
            self._support_replies[key] = SupportReply(
                action="cancel", done=True, message="The journey was cancelled."
            )
            self._accepting = False
            self._expects = {}
            raise JourneyCancelled(request.staff_id)
        if request.action == "extend":
            assert self._deadline is not None
            self._deadline += timedelta(minutes=request.extend_minutes)
            self._support_replies[key] = SupportReply(
                action="extend",
                done=True,
                message=f"The deadline is now {self._deadline:%Y-%m-%d %H:%M} UTC.",
            )
            return None
        self._support_after[key] = self._seq
        return screen.parse(
            Submission(screen=screen.screen_name(), seq=self._seq, action=request.action)
        )

    def _support_problem(self, request: SupportRequest) -> str:
        """Why ``request`` cannot run now (empty when it can)."""
        if self._finished:
            return "This journey has already finished."
        if request.action not in self.support_actions:
            return f"The {self.journey_name} journey does not support {request.action!r}."
        if request.action == "cancel":
            return ""
        if not self._accepting or self._screen is None:
            return "The journey is busy right now; try again in a moment."
        if request.action == "extend":
            if self._deadline is None:
                return "The current step has no deadline to extend."
            if not 1 <= request.extend_minutes <= MAX_EXTEND_MINUTES:
                return f"Extend by 1 to {MAX_EXTEND_MINUTES} minutes."
            return ""
        button = self._screen.action_named(request.action)
        if button is None or button.validate_fields:
            return f"The current screen has no {request.action!r} action."
        return ""

    def _support_done(self, key: str) -> bool:
        if self._finished or key in self._support_replies:
            return True
        seq = self._support_after.get(key)
        return seq is not None and self._view is not None and self._view.seq > seq

    async def _view_after(self, seq: int) -> ScreenView:
        await workflow.wait_condition(
            lambda: self._finished or (self._view is not None and self._view.seq > seq)
        )
        assert self._view is not None
        return self._view

    def _check_current(self, submission: Submission) -> None:
        if self._finished:
            raise ApplicationError(
                "This journey has already finished.",
                type=ErrorCode.JOURNEY_FINISHED,
                non_retryable=True,
            )
        view = self._view
        if (
            not self._accepting
            or view is None
            or submission.seq != view.seq
            or submission.screen != view.screen
        ):
            raise ApplicationError(
                "This page is out of date: it was already submitted or replaced by a newer one.",
                type=ErrorCode.STALE_SUBMISSION,
                non_retryable=True,
            )

    def _check_expected(self, event: EventEnvelope) -> None:
        if self._finished:
            raise ApplicationError(
                "This journey has already finished.",
                type=ErrorCode.JOURNEY_FINISHED,
                non_retryable=True,
            )
        if not self._accepting or event.name not in self._expects:
            raise ApplicationError(
                f"This journey is not waiting for {event.name!r} now.",
                type=ErrorCode.UNKNOWN_EVENT,
                non_retryable=True,
            )

    def _mark(self, step: str, status: str, why: str) -> None:
        updates = []
        if not self._step and not self._status:
            updates.append(JOURNEY_NAME.value_set(self.journey_name))
        if step != self._step:
            updates.append(JOURNEY_STEP.value_set(step))
        if status != self._status:
            updates.append(JOURNEY_STATUS.value_set(status))
        if updates:
            workflow.upsert_search_attributes(updates)
        self._step, self._status = step, status
        workflow.set_current_details(
            f"**{self.journey_name}** · step `{step}` · {status}\n\n{why}".strip()
        )


_FINAL_TITLES = {
    "signed_in": "You are signed in",
    "redirect": "Done",
    "expired": "This journey has expired",
    "failed": "This journey could not be completed",
    "cancelled": "This journey was cancelled",
}

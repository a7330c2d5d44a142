"""Consent screens and steps shared by journeys: what registration asks, and re-consent at sign-in.

Screens are built from the catalogue (:mod:`contracts.consents`): one checkbox per optional purpose,
so adding a purpose there adds it to every consent screen. The login journey calls
:func:`reconsent` once the customer is authenticated: when a required purpose's version changed
since they granted it, they must accept the new version before the sign-in finishes; optional
purposes are shown with their current choice, never forced.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import create_model, field_validator
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.consent import (
        ConsentActivities,
        ConsentsOf,
        DueConsents,
        PurposeGrant,
        RecordConsents,
    )
    from contracts.consents import CATALOGUE, optional_names
    from contracts.events import EmitEvent, EventActivities
    from journeys.kit import Action, Journey, Outcome, Screen, StepTimedOut, expired, field
    from journeys.kit.activities import DEFAULT_ACTIVITY_TIMEOUT, DEFAULT_RETRY, run_activity
    from journeys.patches import CONSENT_CATALOGUE

RECONSENT_TIMEOUT = timedelta(minutes=30)


def _optional_fields() -> dict[str, Any]:
    """One unticked-by-default checkbox per optional purpose of the catalogue."""
    return {
        name: (
            bool,
            field(kind="consent", label=CATALOGUE[name].text, required=False, default=False),
        )
        for name in optional_names()
    }


class _RequiredTerms(Screen):
    """The required checkbox; refusing it is a validation error, never a recorded refusal."""

    terms: bool = field(kind="consent", label=CATALOGUE["terms"].text, autocomplete=None)

    @field_validator("terms")
    @classmethod
    def _must_accept(cls, value: bool) -> bool:
        if not value:
            raise ValueError("You must accept the Terms of Service to continue.")
        return value


def _consent_screen(name: str, doc: str, *, title: str, intro: str) -> type[Screen]:
    """A screen of the required terms plus one box per optional purpose of the catalogue."""
    screen: type[Screen] = create_model(name, __base__=_RequiredTerms, **_optional_fields())
    screen.__doc__ = doc
    screen.title, screen.intro = title, intro
    screen.actions = (Action(name="submit", label="Accept and continue"),)
    return screen


ConsentChoices = _consent_screen(
    "ConsentChoices",
    "Registration's consents: the required terms and every optional purpose.",
    title="One last step",
    intro="Please accept our terms to finish creating your account. The other choices are "
    "optional; you can change them at any time on your account page.",
)
# Same screen name as the terms-only screen it replaces, so pages and funnels stay comparable.
ConsentChoices.screen_name = classmethod(lambda cls: "accept-terms")  # type: ignore[assignment, method-assign]

ReConsent = _consent_screen(
    "ReConsent",
    "Sign-in interstitial after a required purpose's version changed.",
    title="We updated our terms",
    intro="We changed: {changed}. Please read and accept the new version to continue. Your "
    "other choices are shown as you left them; change them if you like.",
)


def registration_grants(answer: Screen) -> list[PurposeGrant]:
    """The purposes ticked, at their current versions (an unticked box grants nothing to record)."""
    return [
        PurposeGrant(purpose=name, version=p.version, granted=True)
        for name, p in CATALOGUE.items()
        if getattr(answer, name, False) is True
    ]


async def reconsent(journey: Journey, *, journey_id: str, customer_id: str) -> Outcome | None:
    """Ask for the new version of changed required purposes; the outcome if the journey ends."""
    due: DueConsents = await journey.step(
        ConsentActivities.due, ConsentsOf(customer_id=customer_id), why="Checking consents"
    )
    return await ask_reconsent(journey, due, journey_id=journey_id, customer_id=customer_id)


async def ask_reconsent(
    journey: Journey, due: DueConsents, *, journey_id: str, customer_id: str
) -> Outcome | None:
    """:func:`reconsent` for consents already read (``sign_in.gather`` reads them)."""
    if not due.required:
        return None
    try:
        answer = await journey.ask(
            ReConsent,
            values=dict.fromkeys(due.granted, "on"),
            context={"changed": ", ".join(p.label for p in due.required)},
            timeout=RECONSENT_TIMEOUT,
            why="Asking to accept changed terms",
        )
    except StepTimedOut as timeout:
        return expired(journey_id, f"No answer at step {timeout}.")
    grants = [PurposeGrant(purpose=p.name, version=p.version, granted=True) for p in due.required]
    for purpose in due.optional:
        chosen = bool(getattr(answer, purpose.name, False))
        if chosen != (purpose.name in due.granted):
            grants.append(
                PurposeGrant(purpose=purpose.name, version=purpose.version, granted=chosen)
            )
    request = RecordConsents(
        customer_id=customer_id, journey_id=journey_id, channel="login", grants=grants
    )
    await journey.step(ConsentActivities.record, request, why="Recording the new consents")
    await emit_event(changed_event(request))
    return None


async def announce_registration(journey: Journey, customer_id: str, answer: Screen) -> None:
    """Emit ``consent.changed`` for what registration recorded (runs before this patch: nothing)."""
    if not workflow.patched(CONSENT_CATALOGUE):
        return
    request = RecordConsents(
        customer_id=customer_id,
        journey_id=workflow.info().workflow_id,
        channel="registration",
        grants=registration_grants(answer),
    )
    await emit_event(changed_event(request))


async def emit_event(event: EmitEvent) -> None:
    """``events.emit`` (an async activity, which ``Journey.step``'s signature does not cover)."""
    await run_activity(
        EventActivities.emit,
        event,
        timeout=DEFAULT_ACTIVITY_TIMEOUT,
        retry=DEFAULT_RETRY,
    )


def changed_event(request: RecordConsents) -> EmitEvent:
    """The ``consent.changed`` event for one recorded decision (its id: the journey's, once)."""
    return EmitEvent(
        event_id=f"{request.journey_id}:consent.changed",
        type="consent.changed",
        customer_id=request.customer_id,
        data={"channel": request.channel, "purposes": [g.model_dump() for g in request.grants]},
    )

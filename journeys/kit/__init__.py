"""The journey authoring kit: everything a product team imports to write a journey.

See ``docs/authoring.md`` for a walk-through.
"""

from contracts.emails import normalize_email
from contracts.errors import ErrorCode
from contracts.journey import Event, EventEnvelope, JourneyStart
from contracts.links import LinkPage
from contracts.sealed import Sealed
from journeys.kit.events import EmailLinkClicked
from journeys.kit.journey import Journey, StepTimedOut
from journeys.kit.outcomes import Outcome, expired, failed, redirect, signed_in
from journeys.kit.registry import JOURNEYS, journey
from journeys.kit.screens import (
    Action,
    Choice,
    FieldView,
    InvalidSubmission,
    Screen,
    ScreenView,
    Submission,
    field,
)

__all__ = [
    "JOURNEYS",
    "Action",
    "Choice",
    "EmailLinkClicked",
    "ErrorCode",
    "Event",
    "EventEnvelope",
    "FieldView",
    "InvalidSubmission",
    "Journey",
    "JourneyStart",
    "LinkPage",
    "Outcome",
    "Screen",
    "ScreenView",
    "Sealed",
    "StepTimedOut",
    "Submission",
    "expired",
    "failed",
    "field",
    "journey",
    "normalize_email",
    "redirect",
    "signed_in",
]

"""The progressive-profiling plan: which fields to ask, on which trigger, in which order.

Product teams edit :data:`PLAN`. Each rule names a screen (typed, validated fields) and a trigger;
the per-customer ``profile`` workflow (:mod:`journeys.profile`) decides at each sign-in which one
rule, if any, is due, so a customer sees at most one interstitial per sign-in. "Skip for now"
postpones a rule by :data:`SKIP_BACKOFF` sign-ins (never the very next one); after
``len(SKIP_BACKOFF)`` skips it is not asked again. Stored answers carry
:data:`PROFILE_SCHEMA_VERSION`; bump it when a field's meaning or format changes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, field_validator

from contracts.profiling import PlanProgress
from journeys.kit import Action, Choice, Screen, field

SKIP = "skip"
#: Sign-ins to wait after the 1st, 2nd, 3rd skip of a rule; then the rule is dropped.
SKIP_BACKOFF = (2, 4, 8)
COUNTRIES = {
    "DE": "Germany",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "IT": "Italy",
    "NL": "Netherlands",
    "US": "United States",
}
LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español"}
FREQUENCIES = {"weekly": "Weekly", "monthly": "Monthly", "never": "Only about my account"}
PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
SKIP_ACTION = Action(name=SKIP, label="Skip for now", validate_fields=False, primary=False)


class AboutYou(Screen):
    """Asked from the 3rd sign-in on."""

    title = "Tell us a little about you"
    intro = "This helps us greet you and show prices for your country."
    actions = (Action(name="submit", label="Save"), SKIP_ACTION)

    display_name: str = field(
        kind="text", label="Display name", autocomplete="nickname", min_length=1, max_length=60
    )
    country: str = field(
        kind="choice",
        label="Country",
        autocomplete="country",
        choices=[Choice(value=k, label=v) for k, v in COUNTRIES.items()],
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in COUNTRIES:
            raise ValueError("Choose one of the listed countries.")
        return value


class ContactDetails(Screen):
    """Asked after the first purchase, when delivery details matter."""

    title = "Where can we reach you?"
    intro = "For deliveries and questions about your orders."
    actions = (Action(name="submit", label="Save"), SKIP_ACTION)

    phone: str = field(
        kind="text",
        label="Phone (international format, e.g. +33612345678)",
        autocomplete="tel",
        inputmode="tel",
        max_length=24,
    )
    address: str = field(
        kind="text",
        label="Postal address",
        autocomplete="street-address",
        min_length=5,
        max_length=200,
    )

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        compact = value.replace(" ", "")
        if not PHONE.match(compact):
            raise ValueError("Enter the phone number in international format, e.g. +33612345678.")
        return compact


class Preferences(Screen):
    """Asked once the account is 30 days old."""

    title = "Your preferences"
    intro = "How would you like us to talk to you?"
    actions = (Action(name="submit", label="Save"), SKIP_ACTION)

    language: str = field(
        kind="choice",
        label="Language",
        choices=[Choice(value=k, label=v) for k, v in LANGUAGES.items()],
    )
    frequency: str = field(
        kind="choice",
        label="How often may we write to you?",
        choices=[Choice(value=k, label=v) for k, v in FREQUENCIES.items()],
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError("Choose one of the listed languages.")
        return value

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, value: str) -> str:
        if value not in FREQUENCIES:
            raise ValueError("Choose one of the listed options.")
        return value


class Trigger(BaseModel):
    """When a rule becomes due: from the n-th sign-in, after an event, or after some days."""

    model_config = ConfigDict(frozen=True)

    logins: int = 0
    event: str = ""
    after: timedelta = timedelta(0)


class Rule(BaseModel):
    """One step of the plan: a screen to show once its trigger is met."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    trigger: Trigger
    screen: type[Screen]


PLAN: tuple[Rule, ...] = (
    Rule(name="about-you", trigger=Trigger(logins=3), screen=AboutYou),
    Rule(name="contact", trigger=Trigger(event="purchase"), screen=ContactDetails),
    Rule(name="preferences", trigger=Trigger(after=timedelta(days=30)), screen=Preferences),
)
RULES = {rule.name: rule for rule in PLAN}


def due(progress: PlanProgress, now: datetime) -> Rule | None:
    """The first rule, in plan order, whose trigger is met and that is not answered or resting."""
    for rule in PLAN:
        if rule.name in progress.answered:
            continue
        if progress.skips.get(rule.name, 0) >= len(SKIP_BACKOFF):
            continue
        if progress.logins < progress.resume_at.get(rule.name, 0):
            continue
        trigger = rule.trigger
        if trigger.logins and progress.logins < trigger.logins:
            continue
        if trigger.event and not progress.events.get(trigger.event):
            continue
        if trigger.after and now - progress.since < trigger.after:
            continue
        return rule
    return None


def skipped(progress: PlanProgress, rule: str) -> None:
    """Rest ``rule`` for the next backoff step's number of sign-ins."""
    count = progress.skips.get(rule, 0) + 1
    progress.skips[rule] = count
    wait = SKIP_BACKOFF[min(count, len(SKIP_BACKOFF)) - 1]
    progress.resume_at[rule] = progress.logins + wait

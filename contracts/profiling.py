"""Progressive profiling's contract: the ``profile`` workflow's messages and the activities'.

The login journey asks the per-customer ``profile`` workflow (``journeys/profile.py``) through the
``profiling.next`` activity (``workers/activities/profiling.py``), which knows it only by
these names.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef

#: The version of the stored profile fields' meaning, written with every value.
PROFILE_SCHEMA_VERSION = 1

WORKFLOW = "profile"
#: The ``profile`` workflow's handlers, by the names other processes use to reach it.
SIGN_IN_UPDATE = "sign_in"
EVENT_SIGNAL = "event"
SETTLE_SIGNAL = "settle"
EDIT_UPDATE = "edit"
MAX_HISTORY = 300
#: Product event ids remembered for deduplication (a retried ``POST /api/events``).
MAX_SEEN_EVENTS = 200


def profile_id(customer_id: str) -> str:
    """The workflow id of ``customer_id``'s profile."""
    return f"profile-{customer_id}"


class ProfileState(BaseModel):
    """Everything the workflow knows; the input of each run, so continue-as-new loses nothing."""

    customer_id: str
    progress: PlanProgress | None = None
    seen_events: list[str] = []
    max_history: int = MAX_HISTORY


class SignIn(BaseModel):
    """A successful sign-in (``journey_id`` for the record; the update id deduplicates)."""

    journey_id: str


class Interstitial(BaseModel):
    """The rule to ask now (empty: nothing due) and the profile fields its screen collects."""

    rule: str = ""
    fields: list[str] = []


class ProductEvent(BaseModel):
    """A business event posted by the product (``POST /api/events``)."""

    event_id: str
    type: str


class Settled(BaseModel):
    """What the customer did with an interstitial."""

    rule: str
    answered: bool


class PlanProgress(BaseModel):
    """What the plan needs to know about one customer (carried across continue-as-new)."""

    since: datetime
    logins: int = 0
    events: dict[str, int] = {}
    answered: list[str] = []
    skips: dict[str, int] = {}
    #: Rule -> the sign-in number from which a skipped rule may be asked again.
    resume_at: dict[str, int] = {}


class ProfileEdit(BaseModel):
    """The customer saved one rule's fields on the account page (``edit_id`` deduplicates)."""

    edit_id: str
    rule: str
    values: dict[str, str]


class NextInterstitial(BaseModel):
    """A sign-in by ``customer_id`` finishing in ``journey_id``."""

    customer_id: str
    journey_id: str


class SaveProfile(BaseModel):
    """Validated answers to store (by field name) and where they came from."""

    customer_id: str
    source: str
    values: dict[str, str]


class ProfilingActivities:
    """Typed references to the profiling activities, for ``Journey.step``."""

    next = ActivityRef("profiling.next", NextInterstitial, Interstitial)
    save = ActivityRef("profiling.save", SaveProfile, list[str], local=True)

"""The consent activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/consent.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef

#: The workflow recording one decision from the account page (``journeys/consent_change.py``).
CONSENT_CHANGE_WORKFLOW = "consent-change"


class PurposeGrant(BaseModel):
    """One purpose at one version, granted or refused."""

    purpose: str
    version: str
    granted: bool


class RecordConsents(BaseModel):
    """What the customer decided during ``journey_id``."""

    customer_id: str
    journey_id: str
    channel: str
    grants: list[PurposeGrant]


class ConsentsOf(BaseModel):
    """Whose consent state to read."""

    customer_id: str


class PurposeAsked(BaseModel):
    """A purpose as shown on a consent screen: its current version and text."""

    name: str
    version: str
    label: str
    text: str
    required: bool


class DueConsents(BaseModel):
    """Required purposes to re-consent to, and the optional ones with the customer's choice."""

    required: list[PurposeAsked] = []
    optional: list[PurposeAsked] = []
    granted: list[str] = []


class ConsentActivities:
    """Typed references to the consent activities, for ``Journey.step``."""

    record = ActivityRef("consent.record", RecordConsents, int, local=True)
    due = ActivityRef("consent.due", ConsentsOf, DueConsents, local=True)

"""Consent records: append-only grants and withdrawals of versioned purposes.

``consent.record`` appends what a journey collected; ``consent.due`` tells the login journey what
the customer must re-consent to (a required purpose whose current version they have not granted)
and their current choices for the optional ones. Reading the catalogue in an activity, not in the
workflow, puts the versions asked into history, so a catalogue change never alters a replay.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from journeys.consents import purposes
from store import consents
from workers.activities.base import ActivityGroup


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


class ConsentActivities(ActivityGroup):
    """Writes consent history (rows are only ever inserted) and reads what is due."""

    @activity.defn(name="consent.record")
    def record(self, request: RecordConsents) -> int:
        """Insert one row per purpose; a retry finds its rows (unique per journey) and adds none."""
        written = consents.append(
            self.settings.database_url,
            customer_id=request.customer_id,
            journey_id=request.journey_id,
            channel=request.channel,
            grants=[consents.Grant(g.purpose, g.version, g.granted) for g in request.grants],
        )
        self.audit(
            f"{request.journey_id}:consents",
            "consent.changed",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
            purposes=[g.purpose for g in request.grants if g.granted],
        )
        return len(written)

    @activity.defn(name="consent.due")
    def due(self, request: ConsentsOf) -> DueConsents:
        """What the customer has not granted at the catalogue's current versions."""
        with self.db() as session:
            state = consents.current(session, request.customer_id)
        due = DueConsents()
        for purpose in purposes():
            asked = PurposeAsked(
                name=purpose.name,
                version=purpose.version,
                label=purpose.label,
                text=purpose.text,
                required=purpose.required,
            )
            latest = state.get(purpose.name)
            granted = latest is not None and latest.granted
            if purpose.required and not (granted and latest and latest.version == purpose.version):
                due.required.append(asked)
            elif not purpose.required:
                due.optional.append(asked)
                if granted:
                    due.granted.append(purpose.name)
        return due

"""Consent records: append-only grants and withdrawals of versioned purposes.

``consent.record`` appends what a journey collected; ``consent.due`` tells the login journey what
the customer must re-consent to (a required purpose whose current version they have not granted)
and their current choices for the optional ones. Reading the catalogue in an activity, not in the
workflow, puts the versions asked into history, so a catalogue change never alters a replay.
"""

from __future__ import annotations

from collections.abc import Mapping

from contracts.consent import (
    ConsentActivities,
    ConsentsOf,
    DueConsents,
    PurposeAsked,
    RecordConsents,
)
from contracts.consents import purposes
from store import consents
from store.models import ConsentRecord
from workers.activities.base import ActivityGroup, implements


class ConsentActivitiesImpl(ActivityGroup):
    """Writes consent history (rows are only ever inserted) and reads what is due."""

    @implements(ConsentActivities.record)
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

    @implements(ConsentActivities.due)
    def due(self, request: ConsentsOf) -> DueConsents:
        """What the customer has not granted at the catalogue's current versions."""
        with self.db() as session:
            return due_consents(consents.current(session, request.customer_id))


def due_consents(state: Mapping[str, ConsentRecord]) -> DueConsents:
    """What a consent state (newest record per purpose) lacks at the catalogue's versions."""
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

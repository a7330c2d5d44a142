"""Consent records: append-only grants and withdrawals of versioned purposes."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from workers.activities.base import ActivityGroup
from workers.store.models import ConsentRecord


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


class ConsentActivities(ActivityGroup):
    """Writes consent history; rows are only ever inserted."""

    @activity.defn(name="consent.record")
    def record(self, request: RecordConsents) -> int:
        """Insert one row per purpose; a retry finds its rows (unique per journey) and adds none."""
        written = 0
        for grant in request.grants:
            try:
                with self.db() as session:
                    session.add(
                        ConsentRecord(
                            customer_id=request.customer_id,
                            purpose=grant.purpose,
                            version=grant.version,
                            granted=grant.granted,
                            channel=request.channel,
                            journey_id=request.journey_id,
                        )
                    )
                written += 1
            except IntegrityError:
                continue  # written by an earlier attempt of this activity
        self.audit(
            f"{request.journey_id}:consents",
            "consent.changed",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
            purposes=[g.purpose for g in request.grants if g.granted],
        )
        return written

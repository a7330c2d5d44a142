"""The deletion gate activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/deletion_gate.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef


class PendingDeletion(BaseModel):
    """Which customer signs in."""

    customer_id: str


class DeletionScheduled(BaseModel):
    """When the account will be erased; ``None`` when no deletion is scheduled."""

    scheduled_for: datetime | None = None


class DeletionGateActivities:
    """Typed references to the deletion gate activities, for ``Journey.step``."""

    pending = ActivityRef("deletion_gate.pending", PendingDeletion, DeletionScheduled, local=True)
    keep = ActivityRef("deletion_gate.keep", PendingDeletion, type(None))

"""The events activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/events.py`` implements them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from contracts.activity import ActivityRef


class EmitEvent(BaseModel):
    """One event; ``event_id`` is chosen by the caller so retries and receivers can deduplicate."""

    event_id: str
    type: str
    customer_id: str | None
    data: dict[str, Any] = {}


class EventActivities:
    """Typed references to the events activities, for ``Journey.step``."""

    emit = ActivityRef("events.emit", EmitEvent, type(None), local=True)

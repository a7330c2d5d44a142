"""The magic-link activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/magic_link.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef


class RequestMagicLink(BaseModel):
    """Someone asks for a sign-in link to ``email`` (normalised) from ``client_ip``."""

    journey_id: str
    email: str
    client_ip: str


class MagicLinkRequested(BaseModel):
    """Admitted or not (throttled per address and network), the same for every address.

    ``customer_id`` is empty for an address without an account that may sign in: the journey
    then sends a message with nothing to use, on the very same screens. It never reaches a page.
    """

    admitted: bool
    email_lookup: str
    customer_id: str = ""
    retry_after_seconds: int = 0


class MagicLinkActivities:
    """Typed references to the magic-link activities, for ``Journey.step``."""

    request = ActivityRef("magic_link.request", RequestMagicLink, MagicLinkRequested)

"""The invitation activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/invitation.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed
from contracts.verification import CheckResult


class SendInvitation(BaseModel):
    """Email ``customer_id`` an invitation for ``journey_id``; ``invitation_id`` makes it once."""

    invitation_id: str
    journey_id: str
    customer_id: str


class SentInvitation(BaseModel):
    """When the link stops working, and the lookup support searches the journey by."""

    expires_at: datetime
    email_lookup: str


class CheckInvitationLink(BaseModel):
    """A token from a clicked invitation link, sealed by the web layer."""

    journey_id: str
    token: Sealed


class ChoosePassword(BaseModel):
    """The invited customer's first password, sealed by the web layer."""

    journey_id: str
    customer_id: str
    password: Sealed


class InvitationActivities:
    """Typed references to the invitation activities, for ``Journey.step``."""

    send = ActivityRef("invitation.send", SendInvitation, SentInvitation)
    check_link = ActivityRef("invitation.check_link", CheckInvitationLink, CheckResult, local=True)
    set_password = ActivityRef("invitation.set_password", ChoosePassword, type(None))


#: The customer was suspended or erased while the invitation was pending.
ACCOUNT_UNAVAILABLE = "ACCOUNT_UNAVAILABLE"

"""The password-change activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/password_change.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed


class ReplacePassword(BaseModel):
    """A signed-in customer's new password, sealed by the web layer (field ``password``)."""

    journey_id: str
    customer_id: str
    password: Sealed


class PasswordReplaced(BaseModel):
    """How many sessions were signed out (0 on a retry: they already were)."""

    sessions_revoked: int


class PasswordChangeNotice(BaseModel):
    """Tell the customer, at their address, that their password changed (once per journey)."""

    journey_id: str
    customer_id: str


class PasswordChangeActivities:
    """Typed references to the password-change activities, for ``Journey.step``."""

    change = ActivityRef("password_change.change", ReplacePassword, PasswordReplaced)
    notify = ActivityRef("password_change.notify", PasswordChangeNotice, type(None))

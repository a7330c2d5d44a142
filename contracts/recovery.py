"""The recovery activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/recovery.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed


class RequestRecovery(BaseModel):
    """One "I forgot my password" request; ``verification_id`` (a ``workflow.uuid4()``) keys it."""

    verification_id: str
    journey_id: str
    email: str
    client_ip: str


class RecoveryRequested(BaseModel):
    """The same for known and unknown addresses: admitted (and until when the email works) or not.

    ``email_lookup`` lets support find the journey by email in the Temporal UI.
    """

    admitted: bool
    email_lookup: str
    expires_at: datetime | None = None
    retry_after_seconds: int = 0


class RecoveryOf(BaseModel):
    """Which proven recovery to look at."""

    journey_id: str
    email: str


class RecoveryAccount(BaseModel):
    """What recovery must ask of this customer: their second factors, and whether a password."""

    customer_id: str
    has_password: bool
    factors: list[str]


class SetPassword(BaseModel):
    """The new password, sealed by the web layer (field ``password``)."""

    journey_id: str
    customer_id: str
    email: str
    password: Sealed


class CompleteRecovery(BaseModel):
    """Finish a recovery: ``method`` is ``password`` or ``passkey``, ``proof`` the factor used."""

    journey_id: str
    customer_id: str
    method: str
    proof: str


class RecoveryCompleted(BaseModel):
    """How many sessions were signed out (0 on a retry: they already were)."""

    sessions_revoked: int


class RecoveryActivities:
    """Typed references to the recovery activities, for ``Journey.step``."""

    request = ActivityRef("recovery.request", RequestRecovery, RecoveryRequested)
    account = ActivityRef("recovery.account", RecoveryOf, RecoveryAccount, local=True)
    set_password = ActivityRef("recovery.set_password", SetPassword, type(None))
    complete = ActivityRef("recovery.complete", CompleteRecovery, RecoveryCompleted, local=True)

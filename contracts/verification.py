"""The verification activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/verification.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed


class SendCode(BaseModel):
    """Send a code and link for ``journey`` to ``email``; ``verification_id`` makes it idempotent.

    ``template`` is ``verify_email`` normally and ``already_registered`` when the email already
    has an account: that message carries no code, and the code stored for it can never match.
    """

    verification_id: str
    journey_id: str
    journey: str
    email: str
    template: str
    #: Code and link lifetime in minutes; 0 keeps the defaults (account recovery uses 15).
    lifetime_minutes: int = 0


class SentCode(BaseModel):
    """When the code stops working and when the link does."""

    verification_id: str
    code_expires_at: datetime
    link_expires_at: datetime


class CheckCode(BaseModel):
    """A code the customer typed, sealed by the web layer."""

    journey_id: str
    code: Sealed


class CheckLink(BaseModel):
    """A link token from a clicked email, sealed by the web layer."""

    journey_id: str
    token: Sealed


class CheckResult(BaseModel):
    """``reason`` is ``wrong``, ``expired``, ``exhausted`` or ``unreadable`` when not ``ok``."""

    ok: bool
    reason: str = ""
    message: str = ""
    attempts_left: int = 0


class VerificationActivities:
    """Typed references to the verification activities, for ``Journey.step``."""

    send_code = ActivityRef("verification.send_code", SendCode, SentCode)
    check_code = ActivityRef("verification.check_code", CheckCode, CheckResult)
    check_link = ActivityRef("verification.check_link", CheckLink, CheckResult)

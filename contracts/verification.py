"""The verification activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/verification.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, model_validator

from contracts.activity import ActivityRef
from contracts.emails import EmailPurpose
from contracts.sealed import Sealed

#: The only emails a journey's history holds sends of without a purpose: read as these.
RECORDED_WITHOUT_PURPOSE = {
    "verify_email": EmailPurpose.CODE_AND_LINK,
    "already_registered": EmailPurpose.DECOY,
}


class SendCode(BaseModel):
    """Send ``template`` for ``journey`` to ``email``; ``verification_id`` makes it idempotent.

    ``purpose`` is the one the template declares (``templates/emails/``), else the send fails:
    ``code_and_link`` (``verify_email``, ``recovery``), ``code`` (``login_code``), ``link`` (the
    link alone proves the address), or ``decoy`` where a working code would tell a stranger the
    address has an account (``already_registered``, ``recovery_unknown``): that message carries
    no code, and the code stored for it never matches.
    """

    verification_id: str
    journey_id: str
    journey: str
    email: str
    template: str
    purpose: EmailPurpose
    #: Code and link lifetime in minutes; 0 keeps the defaults (account recovery uses 15).
    lifetime_minutes: int = 0
    #: The client that asked, when the journey knows it: also limited (``store/mail_limits.py``).
    client_ip: str = ""
    #: Which path sends it, for an email worded per path (its ``reasons`` block); empty for others.
    reason: str = ""

    @model_validator(mode="before")
    @classmethod
    def _recorded_before_purposes(cls, data: Any) -> Any:
        """Registration's sends recorded before sends named a purpose (journeys still running)."""
        if isinstance(data, dict) and "purpose" not in data:
            recorded = RECORDED_WITHOUT_PURPOSE.get(str(data.get("template")))
            if recorded is not None:
                return {**data, "purpose": recorded}
        return data


class SentCode(BaseModel):
    """When the code stops working and when the link does; or, when ``retry_after_seconds`` is
    set, that nothing was sent: the address (or the client) had too many emails recently
    (``store/mail_limits.py``), and the journey says so, the same for every address."""

    verification_id: str
    code_expires_at: datetime
    link_expires_at: datetime
    retry_after_seconds: int = 0


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
    check_code = ActivityRef("verification.check_code", CheckCode, CheckResult, local=True)
    check_link = ActivityRef("verification.check_link", CheckLink, CheckResult, local=True)

"""The factors activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/factors.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed
from contracts.verification import SentCode


class FactorsOf(BaseModel):
    """Whose factors to list."""

    customer_id: str


class EnrolledFactors(BaseModel):
    """Usable factor kinds, strongest first: ``totp``, ``passkey``, ``recovery_code``, ``email``."""

    factors: list[str]


class CheckFactor(BaseModel):
    """A code typed for ``customer_id``'s factor, sealed by the web layer (field ``code``)."""

    attempt_id: str
    journey_id: str
    customer_id: str
    code: Sealed


class FactorChecked(BaseModel):
    """``ok``, or why not in words for the customer (and how long to wait, if throttled)."""

    ok: bool
    message: str = ""
    retry_after_seconds: int = 0


class SendLoginCode(BaseModel):
    """Email a sign-in code to the customer's address (looked up here, not carried in history)."""

    verification_id: str
    journey_id: str
    customer_id: str


class FactorActivities:
    """Typed references to the factors activities, for ``Journey.step``."""

    enrolled = ActivityRef("factors.enrolled", FactorsOf, EnrolledFactors, local=True)
    check_totp = ActivityRef("factors.check_totp", CheckFactor, FactorChecked, local=True)
    check_recovery_code = ActivityRef(
        "factors.check_recovery_code", CheckFactor, FactorChecked, local=True
    )
    send_login_code = ActivityRef("factors.send_login_code", SendLoginCode, SentCode)
    check_email_code = ActivityRef(
        "factors.check_email_code", CheckFactor, FactorChecked, local=True
    )

"""The factors activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/factors.py`` implements them.
"""

from __future__ import annotations

from enum import StrEnum

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


class LoginCodeReason(StrEnum):
    """Why a sign-in code is emailed: what the email may say the sender already proved.

    The ``login_code`` email words its warning per reason (``templates/emails/login_code.jinja``):
    only after a password does a stranger's code mean "someone knows your password".
    """

    #: A second factor after the right password.
    AFTER_PASSWORD = "after_password"
    #: A second factor after a sign-in with an upstream provider linked to the account.
    AFTER_PROVIDER = "after_provider"
    #: The only proof, before an upstream sign-in is linked to the account ("Email me a code
    #: instead"): the sender proved nothing but holding some provider account with this email.
    LINK_PROVIDER = "link_provider"
    #: Any other first factor, and sends recorded before reasons were named.
    SIGN_IN = "sign_in"


class SendLoginCode(BaseModel):
    """Email a sign-in code to the customer's address (looked up here, not carried in history)."""

    verification_id: str
    journey_id: str
    customer_id: str
    #: Which path asks; journeys always name it (the default reads sends recorded before).
    reason: LoginCodeReason = LoginCodeReason.SIGN_IN


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

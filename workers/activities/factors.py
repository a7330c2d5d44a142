"""Second factors during sign-in: which ones a customer has, and checking each kind.

Every check is throttled per customer (a known password must not buy unlimited code guesses),
opens the sealed code only here, and answers a retried attempt with its first answer. The email
code reuses the verification activities (code mailed, keyed hash, attempts, expiry) with its own
template and purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from contracts.emails import EmailPurpose
from contracts.factors import (
    CheckFactor,
    EnrolledFactors,
    FactorActivities,
    FactorChecked,
    FactorsOf,
    SendLoginCode,
)
from contracts.verification import (
    CheckCode,
    SendCode,
    SentCode,
)
from core.security import recovery_codes
from core.security.sealing import SealError
from core.settings import Settings
from store import throttle
from store.factors import FactorStore
from store.models import Customer
from store.throttle import Throttle, wait_seconds
from workers.activities.attempts import answer_once
from workers.activities.base import ActivityGroup, implements
from workers.activities.verification import VerificationActivitiesImpl

#: Factors strong enough that a customer who has one is never offered an email code.
STRONG_FACTORS = frozenset({"totp", "passkey"})


class FactorActivitiesImpl(ActivityGroup):
    """Lists and checks second factors; every method is safe to retry."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.factors = FactorStore(settings)
        self.verification = VerificationActivitiesImpl(settings)

    @implements(FactorActivities.enrolled)
    def enrolled(self, request: FactorsOf) -> EnrolledFactors:
        """The customer's factors, plus ``email`` when policy allows and nothing stronger exists."""
        kinds = self.factors.enrolled(request.customer_id)
        if self.settings.email_step_up and not STRONG_FACTORS & set(kinds):
            kinds.append("email")
        return EnrolledFactors(factors=kinds)

    @implements(FactorActivities.check_totp)
    def check_totp(self, request: CheckFactor) -> FactorChecked:
        """A code from the authenticator app: ±1 step, each code once."""

        def check(code: str) -> FactorChecked:
            verdict = self.factors.check_totp(request.customer_id, code)
            if verdict == "replayed":
                return FactorChecked(
                    ok=False, message="That code was already used. Wait for the next one."
                )
            if verdict == "wrong":
                return FactorChecked(ok=False, message="That code is not right.")
            return FactorChecked(ok=True)

        return self._throttled(request, "totp", check)

    @implements(FactorActivities.check_recovery_code)
    def check_recovery_code(self, request: CheckFactor) -> FactorChecked:
        """Spend one recovery code."""

        def check(code: str) -> FactorChecked:
            if len(code) > recovery_codes.MAX_INPUT:
                return FactorChecked(ok=False, message="That recovery code is not right.")
            if self.factors.use_recovery_code(request.customer_id, code):
                return FactorChecked(ok=True)
            return FactorChecked(
                ok=False, message="That recovery code is not right, or was already used."
            )

        return self._throttled(request, "recovery_code", check)

    @implements(FactorActivities.send_login_code)
    def send_login_code(self, request: SendLoginCode) -> SentCode:
        """Mail a 6-digit sign-in code (once per ``verification_id``), worded for its reason."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
        assert customer is not None, "the journey passed a customer that does not exist"
        return self.verification.send_code(
            SendCode(
                verification_id=request.verification_id,
                journey_id=request.journey_id,
                journey="login",
                email=customer.email,
                template="login_code",
                purpose=EmailPurpose.CODE,
                reason=request.reason.value,
            )
        )

    @implements(FactorActivities.check_email_code)
    def check_email_code(self, request: CheckFactor) -> FactorChecked:
        """The emailed code (attempts and expiry per code, plus the per-customer throttle)."""

        def check(_code: str) -> FactorChecked:
            result = self.verification.check_code(
                CheckCode(journey_id=request.journey_id, code=request.code)
            )
            return FactorChecked(ok=result.ok, message=result.message)

        return self._throttled(request, "email", check)

    def _throttled(
        self, request: CheckFactor, kind: str, check: Callable[[str], FactorChecked]
    ) -> FactorChecked:
        def attempt() -> FactorChecked:
            try:
                code = self.sealer.open(request.code, journey_id=request.journey_id, field="code")
            except SealError:
                return FactorChecked(ok=False, message="The form expired; enter the code again.")
            gate = Throttle(self.settings.database_url)
            key = f"mfa:{request.customer_id}"
            admission = gate.admit(key, throttle.SECOND_FACTOR)
            if not admission.allowed:
                return _wait(admission.retry_after)
            result = check(code.strip())
            if result.ok:
                gate.succeeded(key)
            self.audit(
                f"{request.attempt_id}:{kind}",
                f"login.{kind}_{'ok' if result.ok else 'wrong'}",
                customer_id=request.customer_id,
                journey_id=request.journey_id,
            )
            return result

        return answer_once(self, request.attempt_id, FactorChecked, attempt)


def _wait(retry_after: timedelta) -> FactorChecked:
    seconds = wait_seconds(retry_after)
    return FactorChecked(
        ok=False,
        message=f"Too many wrong codes. Please wait {seconds} s before trying again.",
        retry_after_seconds=seconds,
    )

"""Account recovery: request a reset without revealing who has an account, then apply it safely.

``recovery.request`` does the same work for every address — two throttle admissions, one customer
lookup, one verification row (a code and a link token, kept only as keyed hashes) and one email
over SMTP — so neither the page nor its timing tells an attacker whether the account exists. A
known address gets the code and link (15 minutes, bound to the journey); an unknown one gets a
message saying there is no account with it, which tells its owner nothing an attacker learns.

After the journey has proven the email (and a second factor when the customer has one),
``recovery.set_password`` stores the new password and ``recovery.complete`` revokes every session,
emails "your password was changed" with a link to secure the account and writes the audit record.
Every method is safe to retry: writes are keyed by the journey id or the verification id.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import col, select
from temporalio.exceptions import ApplicationError

from contracts.emails import EmailPurpose
from contracts.recovery import (
    CompleteRecovery,
    RecoveryAccount,
    RecoveryActivities,
    RecoveryCompleted,
    RecoveryOf,
    RecoveryRequested,
    RequestRecovery,
    SetPassword,
)
from contracts.verification import SendCode
from core.security.passwords import hash_password
from core.settings import Settings
from store.credentials import password_credential, set_password_hash
from store.customer_lifecycle import revoke_sessions
from store.factors import FactorStore
from store.mail_limits import MailLimiter
from store.models import AuditEvent, Customer, Verification
from store.passkey_repo import has_password
from store.throttle import wait_seconds
from workers.activities.attempts import answer_once
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer
from workers.activities.passwords import open_password, refuse_weak
from workers.activities.verification import PROOFS, VerificationActivitiesImpl

#: How long the emailed code and link work (and how long the journey waits for them).
LIFETIME = timedelta(minutes=15)
#: Every request takes at least this long: on top of the equal work, a floor that hides what
#: noise (a warm cache, a slow disk) could still tell apart, in the spirit of OWASP's advice on
#: uniform response times.
MIN_REQUEST_DURATION = timedelta(milliseconds=400)
#: ``ApplicationError.type`` when a journey asks for an account it has not proven (a bug, never
#: a customer's mistake: the journey asks only after the email check succeeded).
NOT_PROVEN = "RECOVERY_NOT_PROVEN"
#: The factor kinds that can stand in for the customer in recovery (an emailed code cannot: the
#: email is already the first proof).
RECOVERY_FACTORS = ("totp", "passkey", "recovery_code")


class RecoveryActivitiesImpl(ActivityGroup):
    """Request and apply account recovery; every method is safe to retry."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.verification = VerificationActivitiesImpl(settings)
        self.factors = FactorStore(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)

    @implements(RecoveryActivities.request)
    def request(self, request: RequestRecovery) -> RecoveryRequested:
        """Admit the request (per email and per IP), then email the code and link, or the notice.

        Takes at least :data:`MIN_REQUEST_DURATION`, whatever the answer.
        """
        began = time.monotonic()
        try:
            return self._request(request)
        finally:
            left = MIN_REQUEST_DURATION.total_seconds() - (time.monotonic() - began)
            if left > 0:
                time.sleep(left)

    def _request(self, request: RequestRecovery) -> RecoveryRequested:
        lookup = self.email_lookup(request.email)
        admitted = answer_once(
            self,
            f"{request.verification_id}:admit",
            RecoveryRequested,
            lambda: self._admit(lookup, request.client_ip),
        )
        if not admitted.admitted:
            return admitted
        with self.db() as session:
            customer = session.exec(
                select(Customer).where(Customer.email == request.email, Customer.status == "active")
            ).first()
            customer_id = customer.id if customer is not None else None
        # A passkey-only account recovers with a new passkey: its email must not talk of a password.
        reason = ""
        if customer_id:
            reason = (
                "password" if has_password(self.settings.database_url, customer_id) else "passkey"
            )
        sent = self.verification.deliver(
            SendCode(
                verification_id=request.verification_id,
                journey_id=request.journey_id,
                journey="recovery",
                email=request.email,
                # Nobody's address: the same screen and timing, a message with nothing to use.
                template="recovery" if customer_id else "recovery_unknown",
                purpose=EmailPurpose.CODE_AND_LINK if customer_id else EmailPurpose.DECOY,
                lifetime_minutes=int(LIFETIME.total_seconds() // 60),
                reason=reason,
            )
        )
        self.audit(
            f"{request.verification_id}:requested",
            "recovery.requested",
            customer_id=customer_id,
            journey_id=request.journey_id,
            known=customer_id is not None,
        )
        return admitted.model_copy(update={"expires_at": sent.link_expires_at})

    @implements(RecoveryActivities.account)
    def account(self, request: RecoveryOf) -> RecoveryAccount:
        """The customer behind a recovery whose email this journey has proven (else refuses)."""
        with self.db() as session:
            proven = session.exec(
                select(Verification).where(
                    Verification.journey_id == request.journey_id,
                    col(Verification.purpose).in_(PROOFS),
                    col(Verification.consumed_at).is_not(None),
                )
            ).first()
            customer = session.exec(select(Customer).where(Customer.email == request.email)).first()
            if proven is None or customer is None or customer.status != "active":
                raise ApplicationError(
                    "This journey has not proven control of an account's email.",
                    type=NOT_PROVEN,
                    non_retryable=True,
                )
            has_password = password_credential(session, customer.id) is not None
            customer_id = customer.id
        enrolled = self.factors.enrolled(customer_id)
        return RecoveryAccount(
            customer_id=customer_id,
            has_password=has_password,
            factors=[kind for kind in RECOVERY_FACTORS if kind in enrolled],
        )

    @implements(RecoveryActivities.set_password)
    def set_password(self, request: SetPassword) -> None:
        """Check the new password against the policy, hash it (argon2id) and store it."""
        password = open_password(
            self.sealer, request.password, journey_id=request.journey_id, retype="your new password"
        )
        refuse_weak(password, email=request.email)
        fresh = hash_password(password)
        with self.db() as session:
            set_password_hash(session, request.customer_id, fresh)
        self.audit(
            f"{request.journey_id}:password_set",
            "recovery.password_set",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
        )

    @implements(RecoveryActivities.complete)
    def complete(self, request: CompleteRecovery) -> RecoveryCompleted:
        """Revoke every session, email "your password was changed" once, and audit the recovery."""
        with self.db() as session:
            revoked = revoke_sessions(session, request.customer_id)
            customer = session.get(Customer, request.customer_id)
            notified = session.exec(
                select(AuditEvent).where(AuditEvent.key == f"{request.journey_id}:notified")
            ).first()
        assert customer is not None, "the journey passed a customer that does not exist"
        if notified is None:
            self.mailer.send(
                "password_changed",
                purpose=EmailPurpose.NOTICE,
                to=customer.email,
                method=request.method,
                secure_link=f"{self.settings.base_url}/recover",
                base_url=self.settings.base_url,
            )
            self.audit(
                f"{request.journey_id}:notified",
                "recovery.notified",
                customer_id=request.customer_id,
                journey_id=request.journey_id,
            )
        self.audit(
            f"{request.journey_id}:completed",
            "recovery.completed",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
            method=request.method,
            proof=request.proof,
            sessions_revoked=revoked,
        )
        return RecoveryCompleted(sessions_revoked=revoked)

    def _admit(self, lookup: str, client_ip: str) -> RecoveryRequested:
        """The limits every email to a typed address shares (``store/mail_limits.py``)."""
        admission = MailLimiter(self.settings.database_url).admit(lookup, client_ip)
        if not admission.allowed:
            seconds = wait_seconds(admission.retry_after)
            return RecoveryRequested(
                admitted=False, email_lookup=lookup, retry_after_seconds=seconds
            )
        return RecoveryRequested(admitted=True, email_lookup=lookup)

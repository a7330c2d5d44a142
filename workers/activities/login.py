"""The first factor of sign-in: email + password, throttled, with no account enumeration.

Unknown email, wrong password and an account locked after too many failures all get the same
answer after the same work (an argon2id verification, against a dummy hash when there is no real
one); only the audit log, which customers never see, says which it was. Throttling is keyed by the
email lookup, not the customer, so an unknown email is slowed down exactly like a real one, and it
is the store's device-cookie lockout (:class:`store.throttle.DeviceLockout`): a browser that
signed in to the account before keeps its own allowance while the account is attacked elsewhere.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlmodel import select

from contracts.login import (
    CheckPassword,
    HomeRealm,
    HomeRealmOf,
    KnownCustomer,
    LoginActivities,
    PasswordChecked,
    ResetThrottle,
)
from core.security.passwords import hash_password, needs_rehash, verify_password
from core.security.sealing import SealError
from store.credentials import password_credential
from store.models import SIGN_IN_STATUSES, Credential, Customer, utcnow
from store.organizations import Organizations
from store.throttle import DeviceLockout, Keys, wait_seconds
from workers.activities.attempts import answer_once
from workers.activities.base import ActivityGroup, implements

WRONG = "Email or password is not right."


#: The lockout scope of customer accounts (staff have their own).
SCOPE = "acct"


def account_key(email_lookup: str) -> str:
    """The throttle key of an account (by email lookup, so unknown emails are throttled too)."""
    return Keys(SCOPE, email_lookup, "", "").of_account


def lockout(database_url: str) -> DeviceLockout:
    """The customers' device-cookie lockout."""
    return DeviceLockout(database_url, scope=SCOPE)


@cache
def _dummy_hash() -> str:
    return hash_password("threshold-dummy-password-for-constant-time")


class LoginActivitiesImpl(ActivityGroup):
    """Checks passwords; every method is safe to retry."""

    @implements(LoginActivities.check_password)
    def check_password(self, request: CheckPassword) -> PasswordChecked:
        """Admit the attempt (throttles), verify the password, rehash it if parameters changed."""
        return answer_once(self, request.attempt_id, PasswordChecked, lambda: self._check(request))

    @implements(LoginActivities.known_customer)
    def known_customer(self, request: KnownCustomer) -> PasswordChecked:
        """The customer of a sign-in that starts without a password (:class:`KnownCustomer`).

        Proves nothing by itself: it only confirms that the customer may still sign in (a deletion
        in its grace period may: the journey's gate asks). Read-only, so safe to retry.
        """
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
        if customer is None or customer.status not in SIGN_IN_STATUSES:
            return PasswordChecked(ok=False, message="This account can no longer sign in.")
        return PasswordChecked(
            ok=True,
            customer_id=customer.id,
            email=customer.email,
            email_lookup=customer.email_lookup,
        )

    @implements(LoginActivities.home_realm)
    def home_realm(self, request: HomeRealmOf) -> HomeRealm:
        """The upstream provider that owns the email's domain (B2B home-realm discovery).

        Reads only the organizations' domains, never the customers: the answer is the same whether
        or not an account exists, so it reveals nothing. Read-only, so safe to retry.
        """
        return HomeRealm(
            idp_name=Organizations(self.settings).realm_for(request.email) or "",
            email_lookup=self.email_lookup(request.email),
        )

    @implements(LoginActivities.reset_throttle)
    def reset_throttle(self, request: ResetThrottle) -> None:
        """For account recovery: the customer proved control, so failures start from zero."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
        if customer is not None:
            lockout(self.settings.database_url).reset(customer.email_lookup)

    def _check(self, request: CheckPassword) -> PasswordChecked:
        try:
            password = self.sealer.open(
                request.password, journey_id=request.journey_id, field="password"
            )
        except SealError:
            return PasswordChecked(ok=False, message="The form expired; please sign in again.")
        customer, stored = self._customer(request)
        lookup = customer.email_lookup if customer else self.email_lookup(request.email)
        gate = lockout(self.settings.database_url)
        keys = gate.keys(lookup, request.device, request.client_ip)
        admission = gate.admit(keys)
        refused = None if admission.allowed else admission
        if refused is not None and not refused.locked:
            return _wait(refused.retry_after).model_copy(update={"email_lookup": lookup})
        # Locked accounts and unknown emails do the same work as a wrong password.
        usable = customer is not None and stored is not None and refused is None
        valid = verify_password(
            stored.secret_hash if usable and stored else _dummy_hash(), password
        )
        outcome = "ok" if valid and usable else "locked" if refused else "wrong"
        self.audit(
            f"{request.attempt_id}:password",
            f"login.password_{outcome}",
            customer_id=customer.id if customer else None,
            journey_id=request.journey_id,
        )
        if outcome != "ok" or customer is None or stored is None:
            # The customer id feeds the risk model's per-account velocity; the journey shows
            # every failure the same way whatever it carries.
            return PasswordChecked(
                ok=False,
                message=WRONG,
                customer_id=customer.id if customer else "",
                email_lookup=lookup,
            )
        gate.succeeded(keys)
        if needs_rehash(stored.secret_hash):
            self._rehash(stored.id, password)
        return PasswordChecked(
            ok=True, customer_id=customer.id, email=customer.email, email_lookup=lookup
        )

    def _customer(self, request: CheckPassword) -> tuple[Customer | None, Credential | None]:
        with self.db() as session:
            if request.customer_id:
                customer = session.get(Customer, request.customer_id)
            else:
                customer = session.exec(
                    select(Customer).where(Customer.email == request.email)
                ).first()
            if customer is None or customer.status not in SIGN_IN_STATUSES:
                return None, None
            return customer, password_credential(session, customer.id)

    def _rehash(self, credential_id: int | None, password: str) -> None:
        fresh = hash_password(password)
        with self.db() as session:
            row = session.get(Credential, credential_id)
            if row is not None and needs_rehash(row.secret_hash):
                row.secret_hash, row.updated_at = fresh, utcnow()
                session.add(row)


def _wait(retry_after: timedelta) -> PasswordChecked:
    seconds = wait_seconds(retry_after)
    return PasswordChecked(
        ok=False,
        message=f"Too many attempts. Please wait {seconds} s before trying again.",
        retry_after_seconds=seconds,
    )

"""Passkey ceremonies as activities: begin (store a journey-bound challenge, return the options)
and finish (spend the challenge, verify with ``webauthn``, store or update the credential).

Every method is idempotent. ``begin_*`` is keyed by the ``ceremony_id`` the journey draws with
``workflow.uuid4()``; ``finish_*`` remembers the SHA-256 of the answer that spent the challenge, so
a retry of the same answer returns the same result while any other answer is refused as a reuse.
Failures the journey shows to the customer are ``ApplicationError(type="PASSKEY_REJECTED")`` with
``{"code": …}`` in the details and the customer-facing sentence as the message.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from webauthn.helpers import bytes_to_base64url

from contracts.errors import ErrorCode
from contracts.passkeys import (
    AuthenticatedPasskey,
    BeginPasskeyAuthentication,
    BeginPasskeyRegistration,
    FinishPasskeyCeremony,
    PasskeyActivities,
    PasskeyOptions,
    RegisteredPasskey,
)
from core.security.passkeys.authentication import (
    authentication_options,
    parse_assertion,
    verify_authentication,
)
from core.security.passkeys.errors import (
    CredentialExists,
    PasskeyError,
    SignCountRegressed,
    UnknownCredential,
)
from core.security.passkeys.registration import (
    KnownCredential,
    registration_options,
    verify_registration,
)
from core.security.passkeys.relying_party import RelyingParty
from core.settings import Settings
from store.models import Customer, utcnow
from store.passkey_challenges import CHALLENGE_LIFETIME, check_challenge, new_challenge
from store.passkey_models import Passkey, PasskeyChallenge
from workers.activities.base import ActivityGroup, implements

REGISTER = "register"
AUTHENTICATE = "authenticate"
USER_HANDLE_BYTES = 32


class PasskeyActivitiesImpl(ActivityGroup):
    """Begin and finish both WebAuthn ceremonies against the system of record."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.rp = RelyingParty.for_base_url(settings.base_url)

    @implements(PasskeyActivities.begin_registration)
    def begin_registration(self, request: BeginPasskeyRegistration) -> PasskeyOptions:
        """Store a challenge bound to the journey and return ``credentials.create`` options."""
        with self.db() as session:
            handle = _user_handle(session, request.customer_id)
            row = _challenge(session, request, REGISTER, user_handle=handle)
            exclude = _known(session, request.customer_id)
        options = registration_options(
            rp=self.rp,
            challenge=row.challenge,
            user_handle=row.user_handle,
            user_name=request.user_name,
            exclude=exclude,
        )
        return PasskeyOptions(ceremony_id=row.id, options=options)

    @implements(PasskeyActivities.finish_registration)
    def finish_registration(self, request: FinishPasskeyCeremony) -> RegisteredPasskey:
        """Verify the new credential and store it (owned by the customer, or by the journey).

        A passkey made during registration has no customer yet: ``identity.create_customer``
        gives it to the customer it creates for the same journey.
        """
        with self.db() as session:
            done = _by_ceremony(session, request.ceremony_id)
            if done is not None:
                return RegisteredPasskey(passkey_id=_id(done))
        row = self._spend(request, REGISTER)
        try:
            new = verify_registration(
                response=request.response, expected_challenge=row.challenge, expected_rp=self.rp
            )
        except PasskeyError as err:
            raise _rejected(err) from err
        passkey = Passkey(
            credential_id=new.credential_id,
            customer_id=row.expected_customer_id,
            created_by_journey=request.journey_id,
            created_by_ceremony=request.ceremony_id,
            user_handle=row.user_handle,
            public_key=new.public_key,
            sign_count=new.sign_count,
            transports=new.transports,
            name=request.name[:64] or "Passkey",
            backed_up=new.backed_up,
        )
        try:
            with self.db() as session:
                session.add(passkey)
        except IntegrityError as exc:
            with self.db() as session:
                done = _by_ceremony(session, request.ceremony_id)
            if done is None:
                raise _rejected(CredentialExists()) from exc
            passkey = done
        self.audit(
            f"{request.ceremony_id}:registered",
            "passkey.registered",
            customer_id=passkey.customer_id,
            journey_id=request.journey_id,
            passkey_id=passkey.id,
            user_verified=new.user_verified,
            backed_up=new.backed_up,
        )
        return RegisteredPasskey(passkey_id=_id(passkey))

    @implements(PasskeyActivities.begin_authentication)
    def begin_authentication(self, request: BeginPasskeyAuthentication) -> PasskeyOptions:
        """Store a challenge bound to the journey and return ``credentials.get`` options."""
        with self.db() as session:
            row = _challenge(session, request, AUTHENTICATE)
            allow = _known(session, request.customer_id)
        options = authentication_options(rp=self.rp, challenge=row.challenge, allow=allow)
        return PasskeyOptions(ceremony_id=row.id, options=options)

    @implements(PasskeyActivities.finish_authentication)
    def finish_authentication(self, request: FinishPasskeyCeremony) -> AuthenticatedPasskey:
        """Verify the assertion, move the sign count on, and say which customer it proved.

        A sign-count regression refuses the sign-in, counts and flags the passkey and is audited
        (the genuine authenticator keeps working: its next count is higher than the stored one).
        """
        with self.db() as session:
            row = session.get(PasskeyChallenge, request.ceremony_id)
            if row is not None and row.result and row.response_hash == _digest(request.response):
                return _replay(row.result)
        row = self._spend(request, AUTHENTICATE)
        try:
            credential = parse_assertion(request.response)
            with self.db() as session:
                passkey = session.exec(
                    select(Passkey).where(Passkey.credential_id == credential.id)
                ).first()
            if passkey is None or passkey.customer_id is None:
                raise UnknownCredential()
            if row.expected_customer_id not in (None, passkey.customer_id):
                raise UnknownCredential("This passkey belongs to another account.")
            assertion = verify_authentication(
                credential=credential,
                expected_challenge=row.challenge,
                expected_rp=self.rp,
                expected_public_key=passkey.public_key,
                expected_sign_count=passkey.sign_count,
            )
        except PasskeyError as err:
            raise _rejected(err) from err
        customer_id = passkey.customer_id
        with self.db() as session:
            customer = session.get(Customer, customer_id)
        if customer is None or customer.status != "active":
            raise _rejected(UnknownCredential("This account cannot sign in."))
        if assertion.regressed:
            self._flag(request, passkey.id, assertion.new_sign_count)
            raise _rejected(SignCountRegressed())
        amr = ["swk", "user", *(["mfa"] if assertion.user_verified else [])]
        result = AuthenticatedPasskey(
            customer_id=customer_id,
            email=customer.email,
            email_lookup=customer.email_lookup,
            passkey_id=_id(passkey),
            user_verified=assertion.user_verified,
            amr=amr,
        )
        with self.db() as session:
            stored = session.get(Passkey, passkey.id)
            spent = session.get(PasskeyChallenge, request.ceremony_id)
            assert stored is not None and spent is not None
            stored.sign_count = max(stored.sign_count, assertion.new_sign_count)
            stored.last_used_at = utcnow()
            spent.result = result.model_dump_json()
            session.add(stored)
            session.add(spent)
        self.audit(
            f"{request.ceremony_id}:used",
            "passkey.used",
            customer_id=customer_id,
            journey_id=request.journey_id,
            passkey_id=passkey.id,
            user_verified=assertion.user_verified,
        )
        return result

    # ----- internals -------------------------------------------------------------------------

    def _spend(self, request: FinishPasskeyCeremony, purpose: str) -> PasskeyChallenge:
        """Check the challenge and mark it spent by this answer before verifying anything.

        The same answer again (a retried activity) may continue; any other answer is a reuse.
        """
        digest = _digest(request.response)
        with self.db() as session:
            row = session.get(PasskeyChallenge, request.ceremony_id)
            if (
                row is not None
                and row.journey_id == request.journey_id
                and row.consumed_at is not None
                and row.response_hash == digest
            ):
                return row
            try:
                check_challenge(
                    row,
                    expected_journey_id=request.journey_id,
                    expected_purpose=purpose,
                    now=utcnow(),
                )
            except PasskeyError as err:
                raise _rejected(err) from err
            assert row is not None
            row.consumed_at = utcnow()
            row.response_hash = digest
            session.add(row)
        return row

    def _flag(self, request: FinishPasskeyCeremony, passkey_id: int | None, count: int) -> None:
        """Record a sign-count regression once per ceremony (retries do not count it again)."""
        customer_id: str | None = None
        stored_count = -1
        with self.db() as session:
            spent = session.get(PasskeyChallenge, request.ceremony_id)
            assert spent is not None
            if not spent.result:
                stored = session.get(Passkey, passkey_id)
                assert stored is not None
                stored.sign_count_regressions += 1
                stored.flagged_at = utcnow()
                spent.result = json.dumps({"error": SignCountRegressed.code})
                session.add(stored)
                session.add(spent)
                customer_id = stored.customer_id
                stored_count = stored.sign_count
        self.audit(
            f"{request.ceremony_id}:regressed",
            "passkey.sign_count_regression",
            customer_id=customer_id,
            journey_id=request.journey_id,
            passkey_id=passkey_id,
            stored_sign_count=stored_count,
            presented_sign_count=count,
        )


def _rejected(err: PasskeyError) -> ApplicationError:
    return ApplicationError(
        err.description,
        {"code": err.code},
        type=ErrorCode.PASSKEY_REJECTED,
        non_retryable=True,
    )


def _replay(result: str) -> AuthenticatedPasskey:
    data = json.loads(result)
    if "error" in data:
        raise _rejected(SignCountRegressed())
    return AuthenticatedPasskey.model_validate(data)


def _digest(response: str) -> str:
    return hashlib.sha256(response.encode()).hexdigest()


def _id(passkey: Passkey) -> int:
    assert passkey.id is not None
    return passkey.id


def _challenge(
    session: Session,
    request: BeginPasskeyRegistration | BeginPasskeyAuthentication,
    purpose: str,
    *,
    user_handle: str = "",
) -> PasskeyChallenge:
    """The ceremony's challenge, stored bound to its journey the first time (a retry reads it)."""
    row = session.get(PasskeyChallenge, request.ceremony_id)
    if row is None:
        now = utcnow()
        row = PasskeyChallenge(
            id=request.ceremony_id,
            journey_id=request.journey_id,
            purpose=purpose,
            challenge=new_challenge(),
            user_handle=user_handle,
            expected_customer_id=request.customer_id,
            created_at=now,
            expires_at=now + CHALLENGE_LIFETIME,
        )
        session.add(row)
    return row


def _by_ceremony(session: Session, ceremony_id: str) -> Passkey | None:
    return session.exec(select(Passkey).where(Passkey.created_by_ceremony == ceremony_id)).first()


def _known(session: Session, customer_id: str | None) -> list[KnownCredential]:
    if customer_id is None:
        return []
    owned = session.exec(select(Passkey).where(Passkey.customer_id == customer_id)).all()
    return [KnownCredential(p.credential_id, p.transports) for p in owned]


def _user_handle(session: Session, customer_id: str | None) -> str:
    """The customer's WebAuthn user handle: one per customer, random, never their id or email."""
    if customer_id is not None:
        owned = session.exec(select(Passkey).where(Passkey.customer_id == customer_id)).first()
        if owned is not None:
            return owned.user_handle
    return bytes_to_base64url(secrets.token_bytes(USER_HANDLE_BYTES))

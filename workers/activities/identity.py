"""Activities on customers: staging a registration and creating the customer exactly once.

A registration that began with an upstream OpenID provider (see ``journeys/registration.py``)
creates its customer with the upstream identity linked in the same transaction, so a retried
activity can neither create a second customer nor leave one without its link.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError

from contracts.errors import ErrorCode
from contracts.identity import (
    CreateCustomer,
    CreatedCustomer,
    CreateFederatedCustomer,
    IdentityActivities,
    StagedRegistration,
    StageRegistration,
    UpstreamIdentity,
)
from contracts.profiling import PROFILE_SCHEMA_VERSION
from core.security.passwords import dummy_hash, hash_password
from store.idp_models import IdentityLink
from store.models import Credential, Customer, PendingRegistration, utcnow
from store.passkey_repo import claim_registration_passkey
from store.profile_models import ProfileField
from workers.activities.base import ActivityGroup, implements
from workers.activities.passwords import open_password, refuse_weak


class IdentityActivitiesImpl(ActivityGroup):
    """Customer records; every method is safe to retry."""

    @implements(IdentityActivities.stage_registration)
    def stage_registration(self, request: StageRegistration) -> StagedRegistration:
        """Hash the password (argon2id) and park it with the email until the email is proven.

        For an email that already has an account the same work is done (a hash is computed and
        thrown away) so that neither the screens nor the timing tell an attacker which emails exist.
        Without a password (passkey sign-up) nothing is hashed, for new and existing emails alike.
        """
        password = self._open_password(request)
        lookup = self.email_lookup(request.email)
        with self.db() as session:
            existing = session.exec(select(Customer).where(Customer.email == request.email)).first()
            staged = session.get(PendingRegistration, request.journey_id)
        if staged is not None and request.instead_of_passkey and password is not None:
            return self._password_instead(staged, password)
        if staged is not None:
            return StagedRegistration(
                email_lookup=staged.email_lookup, existing=staged.existing_customer
            )
        password_hash = ""
        if password is not None and existing is not None:
            dummy_hash(password)
        elif password is not None:
            password_hash = hash_password(password)
        with self.db() as session:
            if session.get(PendingRegistration, request.journey_id) is None:
                session.add(
                    PendingRegistration(
                        journey_id=request.journey_id,
                        email=request.email,
                        email_lookup=lookup,
                        password_hash=password_hash,
                        existing_customer=existing is not None,
                    )
                )
        self.audit(
            f"{request.journey_id}:staged",
            "registration.started",
            journey_id=request.journey_id,
            existing=existing is not None,
        )
        return StagedRegistration(email_lookup=lookup, existing=existing is not None)

    def _password_instead(self, staged: PendingRegistration, password: str) -> StagedRegistration:
        """A passkey sign-up's password, chosen once the passkey could not be made; the same
        hashing work for an address that already has an account (whose staging is kept)."""
        answer = StagedRegistration(
            email_lookup=staged.email_lookup, existing=staged.existing_customer
        )
        if staged.existing_customer:
            dummy_hash(password)
            return answer
        fresh = hash_password(password)
        with self.db() as session:
            row = session.get(PendingRegistration, staged.journey_id)
            if row is not None and not row.password_hash:
                row.password_hash = fresh
                session.add(row)
        return answer

    @implements(IdentityActivities.create_customer)
    def create_customer(self, request: CreateCustomer) -> CreatedCustomer:
        """Turn the staged registration into a customer with its password or passkey credential.

        Keyed by the journey id (``created_by_journey`` is unique), so a retry or a replay returns
        the customer created the first time instead of making a second one.
        """
        with self.db() as session:
            customer, staged = created_or_new(session, request.journey_id)
            if staged is None:
                return CreatedCustomer(customer_id=customer.id)
            add_first_credential(session, staged, customer.id)
            session.delete(staged)
            customer_id = customer.id
        self._created(request.journey_id, customer_id)
        return CreatedCustomer(customer_id=customer_id)

    @implements(IdentityActivities.create_federated_customer)
    def create_federated_customer(self, request: CreateFederatedCustomer) -> CreatedCustomer:
        """Create the customer of a first upstream sign-in, its identity link and shared profile.

        The customer has no password: they sign in through the provider, and may add a password
        or passkey later (or recover by email). Idempotent like :meth:`create_customer`; an
        identity linked meanwhile by a parallel sign-in fails as ``IDENTITY_TAKEN``.
        """
        upstream = request.upstream
        try:
            with self.db() as session:
                customer, staged = created_or_new(session, request.journey_id)
                if staged is None:
                    return CreatedCustomer(customer_id=customer.id)
                link_upstream(session, customer.id, upstream)
                session.delete(staged)
                customer_id = customer.id
        except IntegrityError as exc:
            raise ApplicationError(
                "This sign-in is already linked to an account.",
                type=ErrorCode.IDENTITY_TAKEN,
                non_retryable=True,
            ) from exc
        self._created(request.journey_id, customer_id)
        return CreatedCustomer(customer_id=customer_id)

    def _created(self, journey_id: str, customer_id: str) -> None:
        self.audit(
            f"{journey_id}:created",
            "customer.created",
            customer_id=customer_id,
            journey_id=journey_id,
        )

    def _open_password(self, request: StageRegistration) -> str | None:
        if request.password is None:
            return None
        password = open_password(
            self.sealer, request.password, journey_id=request.journey_id, retype="your password"
        )
        refuse_weak(password, email=request.email)
        return password


def created_or_new(
    session: Session, journey_id: str
) -> tuple[Customer, PendingRegistration | None]:
    """The customer an earlier attempt of this journey's creation made, with ``None``; else a new
    one with the staged sign-up it comes from (which the caller completes, then deletes)."""
    done = _created_by(session, journey_id)
    if done is not None:
        return done, None
    staged = _staged_for_creation(session, journey_id)
    return _new_customer(session, staged), staged


def _created_by(session: Session, journey_id: str) -> Customer | None:
    """The customer an earlier attempt of this journey's creation already made."""
    return session.exec(select(Customer).where(Customer.created_by_journey == journey_id)).first()


def _staged_for_creation(session: Session, journey_id: str) -> PendingRegistration:
    """The journey's staged sign-up, refused when its email belongs to a customer by now."""
    staged = session.get(PendingRegistration, journey_id)
    if staged is None or staged.existing_customer:
        raise ApplicationError(
            "Nothing to create for this journey.", type=ErrorCode.EMAIL_TAKEN, non_retryable=True
        )
    if session.exec(select(Customer).where(Customer.email == staged.email)).first():
        raise ApplicationError(
            "An account with this email already exists.",
            type=ErrorCode.EMAIL_TAKEN,
            non_retryable=True,
        )
    return staged


def add_first_credential(session: Session, staged: PendingRegistration, customer_id: str) -> None:
    """The password staged at sign-up, else the passkey registered during it; neither is refused."""
    if staged.password_hash:
        session.add(
            Credential(customer_id=customer_id, kind="password", secret_hash=staged.password_hash)
        )
    elif not claim_registration_passkey(
        session, journey_id=staged.journey_id, customer_id=customer_id
    ):
        raise ApplicationError(
            "This registration has neither a password nor a passkey.",
            type=ErrorCode.NO_CREDENTIAL,
            non_retryable=True,
        )


def link_upstream(session: Session, customer_id: str, upstream: UpstreamIdentity) -> None:
    """The new customer's link to the provider it signed up with, and the profile it shared."""
    session.add(
        IdentityLink(
            idp_name=upstream.idp_name,
            issuer=upstream.issuer,
            subject=upstream.subject,
            customer_id=customer_id,
        )
    )
    for name, value in sorted(upstream.profile.items()):
        session.add(
            ProfileField(
                customer_id=customer_id,
                name=name,
                value=value,
                schema_version=PROFILE_SCHEMA_VERSION,
                source=f"idp:{upstream.idp_name}",
            )
        )


def _new_customer(session: Session, staged: PendingRegistration) -> Customer:
    """A verified customer for ``staged`` (its email was proven before creation is asked)."""
    now = utcnow()
    customer = Customer(
        id=str(uuid.uuid4()),
        email=staged.email,
        email_lookup=staged.email_lookup,
        created_by_journey=staged.journey_id,
        created_at=now,
        verified_at=now,
    )
    session.add(customer)
    session.flush()
    return customer

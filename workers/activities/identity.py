"""Activities on customers: staging a registration and creating the customer exactly once."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from journeys.kit.errors import ErrorCode
from journeys.kit.screens import Sealed
from workers.activities.base import ActivityGroup
from workers.security.passwords import PasswordPolicy, dummy_hash, hash_password
from workers.security.sealing import SealError
from workers.store.models import Credential, Customer, PendingRegistration, utcnow
from workers.store.passkey_repo import claim_registration_passkey


class StageRegistration(BaseModel):
    """The sign-up form as the workflow holds it: email encrypted at rest, password sealed.

    ``password`` is ``None`` when the customer creates a passkey instead of a password.
    """

    journey_id: str
    email: str
    password: Sealed | None = None


class StagedRegistration(BaseModel):
    """``existing`` tells the journey to send "you already have an account" instead of a code."""

    email_lookup: str
    existing: bool


class CreateCustomer(BaseModel):
    """Create the customer staged by this journey."""

    journey_id: str


class CreatedCustomer(BaseModel):
    """The customer the journey created (the same one on every retry)."""

    customer_id: str


class IdentityActivities(ActivityGroup):
    """Customer records; every method is safe to retry."""

    @activity.defn(name="identity.stage_registration")
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

    @activity.defn(name="identity.create_customer")
    def create_customer(self, request: CreateCustomer) -> CreatedCustomer:
        """Turn the staged registration into a customer with its password or passkey credential.

        Keyed by the journey id (``created_by_journey`` is unique), so a retry or a replay returns
        the customer created the first time instead of making a second one.
        """
        with self.db() as session:
            done = session.exec(
                select(Customer).where(Customer.created_by_journey == request.journey_id)
            ).first()
            if done is not None:
                return CreatedCustomer(customer_id=done.id)
            staged = session.get(PendingRegistration, request.journey_id)
            if staged is None or staged.existing_customer:
                raise ApplicationError(
                    "Nothing to create for this journey.",
                    type=ErrorCode.EMAIL_TAKEN,
                    non_retryable=True,
                )
            if session.exec(select(Customer).where(Customer.email == staged.email)).first():
                raise ApplicationError(
                    "An account with this email already exists.",
                    type=ErrorCode.EMAIL_TAKEN,
                    non_retryable=True,
                )
            now = utcnow()
            customer = Customer(
                id=str(uuid.uuid4()),
                email=staged.email,
                email_lookup=staged.email_lookup,
                created_by_journey=request.journey_id,
                created_at=now,
                verified_at=now,
            )
            session.add(customer)
            session.flush()
            if staged.password_hash:
                session.add(
                    Credential(
                        customer_id=customer.id, kind="password", secret_hash=staged.password_hash
                    )
                )
            elif not claim_registration_passkey(
                session, journey_id=request.journey_id, customer_id=customer.id
            ):
                raise ApplicationError(
                    "This registration has neither a password nor a passkey.",
                    type=ErrorCode.NO_CREDENTIAL,
                    non_retryable=True,
                )
            session.delete(staged)
            customer_id = customer.id
        self.audit(
            f"{request.journey_id}:created",
            "customer.created",
            customer_id=customer_id,
            journey_id=request.journey_id,
        )
        return CreatedCustomer(customer_id=customer_id)

    def _open_password(self, request: StageRegistration) -> str | None:
        if request.password is None:
            return None
        try:
            password = self.sealer.open(
                request.password, journey_id=request.journey_id, field="password"
            )
        except SealError as exc:
            raise ApplicationError(
                "The form expired; please enter your password again.",
                type=ErrorCode.SEAL_EXPIRED,
                non_retryable=True,
            ) from exc
        problem = PasswordPolicy.problem(password, email=request.email)
        if problem:
            raise ApplicationError(problem, type=ErrorCode.WEAK_PASSWORD, non_retryable=True)
        return password

"""Identity activities on SQLite and PostgreSQL: stage a registration, create the customer once."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from contracts.identity import CreateCustomer, StageRegistration
from contracts.passkeys import BeginPasskeyRegistration, FinishPasskeyCeremony
from core.security.hashing import email_lookup
from core.security.passwords import verify_password
from core.security.sealing import Sealer
from core.settings import Settings
from journeys.kit import ErrorCode
from store.models import AuditEvent, Credential, Customer, PendingRegistration
from store.passkey_models import Passkey
from tests.support.passkeys import SoftPasskey
from tests.support.store import new_journey_id, one, register_customer, rows, unique_email
from workers.activities.identity import IdentityActivitiesImpl
from workers.activities.passkeys import PasskeyActivitiesImpl

PASSWORD = "violet-tractor-harbour"


def stage_request(
    settings: Settings, journey_id: str, email: str, password: str = PASSWORD
) -> StageRegistration:
    sealed = Sealer(settings.derive_key("sealing")).seal(
        password, journey_id=journey_id, field="password"
    )
    return StageRegistration(journey_id=journey_id, email=email, password=sealed)


def test_stage_parks_an_argon2id_hash_and_a_keyed_email_lookup(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    journey_id, email = new_journey_id(), unique_email()

    staged = identity.stage_registration(stage_request(db_settings, journey_id, email))

    assert staged.existing is False
    assert staged.email_lookup == email_lookup(db_settings.derive_key("email-lookup"), email)
    assert email.split("@")[0] not in staged.email_lookup
    pending = one(db_settings, PendingRegistration, journey_id=journey_id)
    assert pending.email == email and not pending.existing_customer
    assert pending.password_hash.startswith("$argon2id$")
    assert verify_password(pending.password_hash, PASSWORD)
    assert PASSWORD not in pending.password_hash


def test_stage_is_idempotent_per_journey(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    journey_id, email = new_journey_id(), unique_email()
    request = stage_request(db_settings, journey_id, email)

    first = identity.stage_registration(request)
    hash_before = one(db_settings, PendingRegistration, journey_id=journey_id).password_hash
    second = identity.stage_registration(request)

    assert first == second
    assert one(db_settings, PendingRegistration, journey_id=journey_id).password_hash == (
        hash_before
    )
    assert len(rows(db_settings, AuditEvent, journey_id=journey_id)) == 1


def test_existing_email_is_flagged_and_no_hash_is_stored(db_settings: Settings) -> None:
    email = unique_email("taken")
    register_customer(db_settings, email)
    identity = IdentityActivitiesImpl(db_settings)
    journey_id = new_journey_id()

    staged = identity.stage_registration(
        stage_request(db_settings, journey_id, email, "another-fine-passphrase")
    )

    assert staged.existing is True
    pending = one(db_settings, PendingRegistration, journey_id=journey_id)
    assert pending.existing_customer is True
    assert pending.password_hash == ""


def test_weak_password_is_a_non_retryable_weak_password_error(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    journey_id = new_journey_id()

    with pytest.raises(ApplicationError) as caught:
        identity.stage_registration(
            stage_request(db_settings, journey_id, unique_email(), "iloveyou")
        )

    assert caught.value.type == ErrorCode.WEAK_PASSWORD
    assert caught.value.non_retryable
    assert "too common" in caught.value.message
    assert rows(db_settings, PendingRegistration, journey_id=journey_id) == []


def test_password_equal_to_the_email_is_refused(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    email = unique_email()

    with pytest.raises(ApplicationError) as caught:
        identity.stage_registration(stage_request(db_settings, new_journey_id(), email, email))

    assert caught.value.type == ErrorCode.WEAK_PASSWORD


def test_password_sealed_for_another_journey_is_seal_expired(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    foreign = stage_request(db_settings, new_journey_id(), unique_email())
    request = StageRegistration(
        journey_id=new_journey_id(), email=foreign.email, password=foreign.password
    )

    with pytest.raises(ApplicationError) as caught:
        identity.stage_registration(request)

    assert caught.value.type == ErrorCode.SEAL_EXPIRED
    assert caught.value.non_retryable


def test_create_customer_twice_makes_exactly_one_customer_and_credential(
    db_settings: Settings,
) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    journey_id, email = new_journey_id(), unique_email()
    identity.stage_registration(stage_request(db_settings, journey_id, email))

    first = identity.create_customer(CreateCustomer(journey_id=journey_id))
    second = identity.create_customer(CreateCustomer(journey_id=journey_id))

    assert first == second
    customer = one(db_settings, Customer, email=email)
    assert customer.id == first.customer_id
    assert customer.created_by_journey == journey_id
    assert customer.verified_at is not None
    credential = one(db_settings, Credential, customer_id=customer.id)
    assert credential.kind == "password"
    assert verify_password(credential.secret_hash, PASSWORD)
    assert rows(db_settings, PendingRegistration, journey_id=journey_id) == []
    assert len(rows(db_settings, AuditEvent, kind="customer.created", journey_id=journey_id)) == 1


def test_create_for_an_existing_email_journey_is_email_taken(db_settings: Settings) -> None:
    email = unique_email("taken")
    register_customer(db_settings, email)
    identity = IdentityActivitiesImpl(db_settings)
    journey_id = new_journey_id()
    identity.stage_registration(stage_request(db_settings, journey_id, email))

    with pytest.raises(ApplicationError) as caught:
        identity.create_customer(CreateCustomer(journey_id=journey_id))

    assert caught.value.type == ErrorCode.EMAIL_TAKEN
    assert len(rows(db_settings, Customer, email=email)) == 1


def test_two_journeys_racing_for_one_email_create_one_customer(db_settings: Settings) -> None:
    """Both staged before either finished: the second to create gets EMAIL_TAKEN."""
    identity = IdentityActivitiesImpl(db_settings)
    email = unique_email("race")
    first, second = new_journey_id(), new_journey_id()
    identity.stage_registration(stage_request(db_settings, first, email))
    identity.stage_registration(stage_request(db_settings, second, email))

    identity.create_customer(CreateCustomer(journey_id=first))
    with pytest.raises(ApplicationError) as caught:
        identity.create_customer(CreateCustomer(journey_id=second))

    assert caught.value.type == ErrorCode.EMAIL_TAKEN
    assert one(db_settings, Customer, email=email).created_by_journey == first


def test_create_without_a_staged_registration_creates_nothing(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)

    with pytest.raises(ApplicationError) as caught:
        identity.create_customer(CreateCustomer(journey_id=new_journey_id()))

    assert caught.value.non_retryable
    assert rows(db_settings, Customer) == []


def test_a_passkey_only_customer_gets_the_passkey_made_by_its_registration(
    db_settings: Settings,
) -> None:
    identity, passkeys = IdentityActivitiesImpl(db_settings), PasskeyActivitiesImpl(db_settings)
    journey_id, email = new_journey_id(), unique_email()
    staged = identity.stage_registration(StageRegistration(journey_id=journey_id, email=email))
    assert staged.existing is False
    assert one(db_settings, PendingRegistration, journey_id=journey_id).password_hash == ""
    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(journey_id=journey_id, ceremony_id="c-1", user_name=email)
    )
    passkeys.finish_registration(
        FinishPasskeyCeremony(
            journey_id=journey_id,
            ceremony_id="c-1",
            response=SoftPasskey("http://threshold.test").create(begun.options),
        )
    )

    created = identity.create_customer(CreateCustomer(journey_id=journey_id))

    assert identity.create_customer(CreateCustomer(journey_id=journey_id)) == created
    assert rows(db_settings, Credential, customer_id=created.customer_id) == []
    assert one(db_settings, Passkey, created_by_journey=journey_id).customer_id == (
        created.customer_id
    )


def test_a_registration_without_password_or_passkey_creates_nobody(
    db_settings: Settings,
) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    journey_id, email = new_journey_id(), unique_email()
    identity.stage_registration(StageRegistration(journey_id=journey_id, email=email))

    with pytest.raises(ApplicationError) as excinfo:
        identity.create_customer(CreateCustomer(journey_id=journey_id))

    assert excinfo.value.type == ErrorCode.NO_CREDENTIAL
    assert rows(db_settings, Customer, email=email) == []

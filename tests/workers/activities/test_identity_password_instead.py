"""A passkey sign-up that ends with a password: staged once the email is proven, policy-checked,
never replacing a password already staged, and the same work for an address that has an account."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from contracts.errors import ErrorCode
from contracts.identity import CreateCustomer, StageRegistration
from core.security.passwords import verify_password
from core.security.sealing import Sealer
from core.settings import Settings
from store.models import Credential, PendingRegistration
from tests.support.store import new_journey_id, one, register_customer, unique_email
from workers.activities.identity import IdentityActivitiesImpl

PASSWORD = "violet-tractor-harbour"


def stage(
    settings: Settings, journey_id: str, email: str, password: str | None
) -> StageRegistration:
    sealed = (
        Sealer(settings.derive_key("sealing")).seal(
            password, journey_id=journey_id, field="password"
        )
        if password is not None
        else None
    )
    return StageRegistration(
        journey_id=journey_id,
        email=email,
        password=sealed,
        instead_of_passkey=password is not None,
    )


def test_a_password_instead_of_the_passkey_becomes_the_credential(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    journey_id, email = new_journey_id(), unique_email("instead")
    identity.stage_registration(stage(db_settings, journey_id, email, None))
    with pytest.raises(ApplicationError) as weak:
        identity.stage_registration(stage(db_settings, journey_id, email, "iloveyou"))
    assert weak.value.type == ErrorCode.WEAK_PASSWORD

    identity.stage_registration(stage(db_settings, journey_id, email, PASSWORD))
    identity.stage_registration(stage(db_settings, journey_id, email, "another-fine-passphrase"))
    created = identity.create_customer(CreateCustomer(journey_id=journey_id))

    credential = one(db_settings, Credential, customer_id=created.customer_id)
    assert credential.kind == "password" and verify_password(credential.secret_hash, PASSWORD)


def test_an_address_with_an_account_stages_no_password(db_settings: Settings) -> None:
    identity = IdentityActivitiesImpl(db_settings)
    email = unique_email("taken")
    register_customer(db_settings, email, PASSWORD)
    journey_id = new_journey_id()
    identity.stage_registration(stage(db_settings, journey_id, email, None))

    staged = identity.stage_registration(stage(db_settings, journey_id, email, PASSWORD))

    assert staged.existing
    assert one(db_settings, PendingRegistration, journey_id=journey_id).password_hash == ""

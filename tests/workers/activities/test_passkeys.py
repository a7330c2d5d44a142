"""Passkey ceremonies on SQLite and PostgreSQL with a software authenticator (soft-webauthn).

Each refusal is checked by its machine code (``details[0]["code"]``) and its effect on the store:
a challenge is spent once, a sign-count regression is counted, flagged and audited.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError

from contracts.passkeys import (
    BeginPasskeyAuthentication,
    BeginPasskeyRegistration,
    FinishPasskeyCeremony,
)
from core.settings import Settings
from journeys.kit import ErrorCode
from store.models import AuditEvent, utcnow
from store.passkey_models import Passkey, PasskeyChallenge
from tests.support.passkeys import SoftPasskey
from tests.support.store import new_journey_id, one, register_customer, rows, unique_email, update
from workers.activities.passkeys import PasskeyActivitiesImpl

ORIGIN = "http://threshold.test"


def ceremony() -> str:
    return str(uuid.uuid4())


def refusal(excinfo: pytest.ExceptionInfo[ApplicationError]) -> str:
    err = excinfo.value
    assert err.type == ErrorCode.PASSKEY_REJECTED and err.non_retryable
    code: str = err.details[0]["code"]
    return code


def enrol(
    passkeys: PasskeyActivitiesImpl, authenticator: SoftPasskey, customer_id: str, journey_id: str
) -> int:
    """Register ``authenticator`` for ``customer_id`` (the account-page path)."""
    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(
            journey_id=journey_id,
            ceremony_id=ceremony(),
            user_name="someone@example.com",
            customer_id=customer_id,
        )
    )
    done = passkeys.finish_registration(
        FinishPasskeyCeremony(
            journey_id=journey_id,
            ceremony_id=begun.ceremony_id,
            response=authenticator.create(begun.options),
            name="Laptop",
        )
    )
    return done.passkey_id


def begin_sign_in(
    passkeys: PasskeyActivitiesImpl, journey_id: str, customer_id: str | None = None
) -> tuple[str, str]:
    begun = passkeys.begin_authentication(
        BeginPasskeyAuthentication(
            journey_id=journey_id, ceremony_id=ceremony(), customer_id=customer_id
        )
    )
    return begun.ceremony_id, begun.options


def finish(journey_id: str, ceremony_id: str, response: str) -> FinishPasskeyCeremony:
    return FinishPasskeyCeremony(journey_id=journey_id, ceremony_id=ceremony_id, response=response)


@pytest.fixture
def customer(db_settings: Settings) -> str:
    return register_customer(db_settings, unique_email("passkey"))


def test_registration_options_ask_for_a_discoverable_credential(db_settings: Settings) -> None:
    passkeys = PasskeyActivitiesImpl(db_settings)
    request = BeginPasskeyRegistration(
        journey_id=new_journey_id(), ceremony_id=ceremony(), user_name="a@example.com"
    )

    first = passkeys.begin_registration(request)
    again = passkeys.begin_registration(request)

    assert first == again  # idempotent: same challenge and user handle on a retry
    options = json.loads(first.options)
    assert options["rp"] == {"id": "threshold.test", "name": "Threshold"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []
    row = one(db_settings, PasskeyChallenge, id=request.ceremony_id)
    assert row.journey_id == request.journey_id and row.purpose == "register"
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_register_then_sign_in_with_a_discoverable_credential(
    db_settings: Settings, customer: str
) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    passkey_id = enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))

    stored = one(db_settings, Passkey, id=passkey_id)
    assert stored.customer_id == customer and stored.name == "Laptop"
    assert stored.transports == "internal" and stored.sign_count == 0
    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    assert json.loads(options)["allowCredentials"] == []

    proved = passkeys.finish_authentication(finish(login, ceremony_id, authenticator.get(options)))

    assert proved.customer_id == customer and proved.passkey_id == passkey_id
    assert proved.amr == ["swk", "user"]  # soft-webauthn does not verify the user
    used = one(db_settings, Passkey, id=passkey_id)
    assert used.sign_count == 1 and used.last_used_at is not None
    assert [e.kind for e in rows(db_settings, AuditEvent, customer_id=customer)][-2:] == [
        "passkey.registered",
        "passkey.used",
    ]


def test_retried_finish_returns_the_same_result(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    request = finish(login, ceremony_id, authenticator.get(options))

    first = passkeys.finish_authentication(request)
    second = passkeys.finish_authentication(request)

    assert first == second
    assert len(rows(db_settings, AuditEvent, kind="passkey.used", customer_id=customer)) == 1


def test_step_up_lists_only_the_customers_passkeys(db_settings: Settings, customer: str) -> None:
    passkeys, mine, theirs = (
        PasskeyActivitiesImpl(db_settings),
        SoftPasskey(ORIGIN),
        SoftPasskey(ORIGIN),
    )
    other = register_customer(db_settings, unique_email("other"))
    enrol(passkeys, mine, customer, new_journey_id("add-passkey"))
    enrol(passkeys, theirs, other, new_journey_id("add-passkey"))
    login = new_journey_id("login")

    ceremony_id, options = begin_sign_in(passkeys, login, customer_id=customer)
    allowed = [c["id"] for c in json.loads(options)["allowCredentials"]]
    assert allowed == [one(db_settings, Passkey, customer_id=customer).credential_id]
    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, ceremony_id, theirs.get(options)))

    assert refusal(excinfo) == "unknown_credential"
    assert "another account" in str(excinfo.value)


def test_wrong_origin_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    journey_id = new_journey_id("add-passkey")
    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(
            journey_id=journey_id, ceremony_id=ceremony(), user_name="a@example.com"
        )
    )
    phished = authenticator.create(begun.options, origin="https://threshold.test.evil.example")

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_registration(finish(journey_id, begun.ceremony_id, phished))

    assert refusal(excinfo) == "ceremony_failed"
    assert "origin" in str(excinfo.value)
    assert rows(db_settings, Passkey, created_by_journey=journey_id) == []


def test_wrong_rp_id_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    authenticator.device.rp_id = "evil.example"  # signs for another relying party
    forged = json.dumps({**json.loads(options), "rpId": "evil.example"})

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, ceremony_id, authenticator.get(forged)))

    assert refusal(excinfo) == "ceremony_failed"
    assert "RP ID" in str(excinfo.value)


def test_an_answer_to_an_older_challenge_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    login = new_journey_id("login")
    _, stale_options = begin_sign_in(passkeys, login)
    current, _ = begin_sign_in(passkeys, login)

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, current, authenticator.get(stale_options)))

    assert refusal(excinfo) == "ceremony_failed"
    assert "challenge" in str(excinfo.value)


def test_a_spent_challenge_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    passkeys.finish_authentication(finish(login, ceremony_id, authenticator.get(options)))

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, ceremony_id, authenticator.get(options)))

    assert refusal(excinfo) == "challenge_used"


def test_an_expired_challenge_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    update(
        db_settings,
        one(db_settings, PasskeyChallenge, id=ceremony_id),
        expires_at=utcnow() - timedelta(seconds=1),
    )

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, ceremony_id, authenticator.get(options)))

    assert refusal(excinfo) == "challenge_expired"


def test_a_challenge_of_another_journey_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    ceremony_id, options = begin_sign_in(passkeys, new_journey_id("login"))

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(
            finish(new_journey_id("login"), ceremony_id, authenticator.get(options))
        )

    assert refusal(excinfo) == "challenge_foreign"
    assert one(db_settings, PasskeyChallenge, id=ceremony_id).consumed_at is None


def test_an_unknown_credential_is_refused(db_settings: Settings, customer: str) -> None:
    passkeys, stranger = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    stranger.device.cred_init("threshold.test", b"nobody")
    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, ceremony_id, stranger.get(options)))

    assert refusal(excinfo) == "unknown_credential"


def test_a_damaged_answer_is_refused(db_settings: Settings) -> None:
    passkeys = PasskeyActivitiesImpl(db_settings)
    login = new_journey_id("login")
    ceremony_id, _ = begin_sign_in(passkeys, login)

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(finish(login, ceremony_id, '{"id": "x"}'))

    assert refusal(excinfo) == "malformed_response"


def test_a_cloned_authenticator_is_refused_flagged_and_audited(
    db_settings: Settings, customer: str
) -> None:
    passkeys, genuine = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    passkey_id = enrol(passkeys, genuine, customer, new_journey_id("add-passkey"))
    clone = genuine.clone()
    for _ in range(2):
        login = new_journey_id("login")
        ceremony_id, options = begin_sign_in(passkeys, login)
        passkeys.finish_authentication(finish(login, ceremony_id, genuine.get(options)))
    assert one(db_settings, Passkey, id=passkey_id).sign_count == 2

    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    request = finish(login, ceremony_id, clone.get(options))  # the clone says 1
    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_authentication(request)
    with pytest.raises(ApplicationError) as retried:
        passkeys.finish_authentication(request)

    assert refusal(excinfo) == refusal(retried) == "sign_count_regressed"
    flagged = one(db_settings, Passkey, id=passkey_id)
    assert flagged.sign_count == 2 and flagged.sign_count_regressions == 1
    assert flagged.flagged_at is not None
    [event] = rows(db_settings, AuditEvent, kind="passkey.sign_count_regression")
    assert event.customer_id == customer
    assert json.loads(event.detail)["presented_sign_count"] == 1

    login = new_journey_id("login")
    ceremony_id, options = begin_sign_in(passkeys, login)
    proved = passkeys.finish_authentication(finish(login, ceremony_id, genuine.get(options)))
    assert proved.customer_id == customer  # the genuine authenticator (count 3) still works


def test_registering_the_same_credential_twice_is_refused(
    db_settings: Settings, customer: str
) -> None:
    passkeys, authenticator = PasskeyActivitiesImpl(db_settings), SoftPasskey(ORIGIN)
    enrol(passkeys, authenticator, customer, new_journey_id("add-passkey"))
    device = authenticator.device
    key = (device.credential_id, device.private_key)

    def keep_the_same_key(rp_id: str, user_handle: bytes) -> None:
        device.rp_id, device.user_handle = rp_id, user_handle
        device.credential_id, device.private_key = key

    device.cred_init = keep_the_same_key
    other = register_customer(db_settings, unique_email("other"))
    journey_id = new_journey_id("add-passkey")
    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(
            journey_id=journey_id,
            ceremony_id=ceremony(),
            user_name="b@example.com",
            customer_id=other,
        )
    )

    with pytest.raises(ApplicationError) as excinfo:
        passkeys.finish_registration(
            finish(journey_id, begun.ceremony_id, authenticator.create(begun.options))
        )

    assert refusal(excinfo) == "credential_exists"
    assert rows(db_settings, Passkey, customer_id=other) == []


def test_adding_a_passkey_excludes_the_customers_existing_ones(
    db_settings: Settings, customer: str
) -> None:
    passkeys = PasskeyActivitiesImpl(db_settings)
    enrol(passkeys, SoftPasskey(ORIGIN), customer, new_journey_id("add-passkey"))
    first = one(db_settings, Passkey, customer_id=customer)

    begun = passkeys.begin_registration(
        BeginPasskeyRegistration(
            journey_id=new_journey_id("add-passkey"),
            ceremony_id=ceremony(),
            user_name="a@example.com",
            customer_id=customer,
        )
    )

    options = json.loads(begun.options)
    assert [c["id"] for c in options["excludeCredentials"]] == [first.credential_id]
    assert options["user"]["id"] == first.user_handle  # one user handle per customer

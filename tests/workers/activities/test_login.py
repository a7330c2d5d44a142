"""Password checks and throttling on SQLite and PostgreSQL, including parallel attempts."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from contracts.login import CheckPassword, PasswordChecked, ResetThrottle
from core.security.hashing import email_lookup
from core.security.sealing import Sealer
from core.settings import Settings
from store import throttle
from store.login_models import LoginThrottle
from store.throttle import EPOCH, Throttle
from tests.support.store import one, register_customer, unique_email, update
from workers.activities.login import WRONG, LoginActivitiesImpl, account_key

PASSWORD = "violet-tractor-harbour"


def attempt(
    settings: Settings,
    password: str,
    *,
    email: str = "",
    customer_id: str = "",
    ip: str = "",
    device: str = "",
) -> PasswordChecked:
    journey_id = f"login-{uuid.uuid4()}"
    sealed = Sealer(settings.derive_key("sealing")).seal(
        password, journey_id=journey_id, field="password"
    )
    return LoginActivitiesImpl(settings).check_password(
        CheckPassword(
            attempt_id=str(uuid.uuid4()),
            journey_id=journey_id,
            password=sealed,
            client_ip=ip or f"198.51.100.{uuid.uuid4().int % 250}",
            email=email,
            customer_id=customer_id,
            device=device,
        )
    )


def lookup(settings: Settings, email: str) -> str:
    return email_lookup(settings.derive_key("email-lookup"), email)


def test_right_password_signs_in_and_clears_failures(db_settings: Settings) -> None:
    email = unique_email("pw")
    customer_id = register_customer(db_settings, email, PASSWORD)
    assert not attempt(db_settings, "wrong-password-1", email=email).ok

    checked = attempt(db_settings, PASSWORD, email=email)

    assert checked.ok and checked.customer_id == customer_id
    assert Throttle(db_settings.database_url).failures(account_key(lookup(db_settings, email))) == 0


def test_retried_attempt_gets_its_first_answer_and_counts_once(db_settings: Settings) -> None:
    email = unique_email("retry")
    register_customer(db_settings, email, PASSWORD)
    journey_id = f"login-{uuid.uuid4()}"
    request = CheckPassword(
        attempt_id=str(uuid.uuid4()),
        journey_id=journey_id,
        password=Sealer(db_settings.derive_key("sealing")).seal(
            "not-it", journey_id=journey_id, field="password"
        ),
        client_ip="192.0.2.1",
        email=email,
    )
    first = LoginActivitiesImpl(db_settings).check_password(request)
    again = LoginActivitiesImpl(db_settings).check_password(request)
    assert first == again and not first.ok
    assert Throttle(db_settings.database_url).failures(account_key(lookup(db_settings, email))) == 1


def test_twenty_parallel_wrong_passwords_cannot_bypass_the_counter(db_settings: Settings) -> None:
    """Keycloak CVE-2024-4629: parallel attempts each take their own number."""
    email = unique_email("parallel")
    register_customer(db_settings, email, PASSWORD)
    with ThreadPoolExecutor(20) as pool:
        answers = list(
            pool.map(lambda i: attempt(db_settings, f"guess-{i}", email=email), range(20))
        )

    checked = [a for a in answers if a.message == WRONG]
    throttled = [a for a in answers if a.retry_after_seconds > 0]
    assert len(checked) == throttle.ACCOUNT.free_failures
    assert len(throttled) == 20 - throttle.ACCOUNT.free_failures
    counted = Throttle(db_settings.database_url).failures(account_key(lookup(db_settings, email)))
    assert counted == throttle.ACCOUNT.free_failures
    # Even the right password now has to wait.
    assert attempt(db_settings, PASSWORD, email=email).retry_after_seconds > 0


def test_unknown_email_is_throttled_like_a_real_one(db_settings: Settings) -> None:
    real, ghost = unique_email("real"), unique_email("ghost")
    register_customer(db_settings, real, PASSWORD)
    for email in (real, ghost):
        answers = [attempt(db_settings, f"guess-{i}", email=email) for i in range(6)]
        assert [a.message for a in answers[:5]] == [WRONG] * 5
        assert 25 <= answers[5].retry_after_seconds <= 30  # seconds pass under load
        assert all(a.customer_id == "" or email == real for a in answers)


def test_per_ip_throttle_across_accounts(db_settings: Settings) -> None:
    ip = "203.0.113.99"
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda i: attempt(db_settings, "nope", email=unique_email(f"ip{i}"), ip=ip),
                range(25),
            )
        )
    assert sum(a.message == WRONG for a in answers) == throttle.CLIENT_IP.free_failures
    assert sum(a.retry_after_seconds > 0 for a in answers) == 25 - throttle.CLIENT_IP.free_failures


def test_delays_grow_then_cap_and_lock_after_one_hundred(db_settings: Settings) -> None:
    policy = throttle.ACCOUNT
    delays = [policy.delay_after(n) for n in range(1, 12)]
    assert delays[:4] == [timedelta(0)] * 4
    assert delays[4:8] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert policy.delay_after(99) == policy.max_delay

    email = unique_email("locked")
    customer_id = register_customer(db_settings, email, PASSWORD)
    key = account_key(lookup(db_settings, email))
    assert not attempt(db_settings, "first-wrong", email=email).ok
    row = one(db_settings, LoginThrottle, key=key)
    update(db_settings, row, failures=100, blocked_until=EPOCH)

    locked = attempt(db_settings, PASSWORD, email=email)
    assert locked == PasswordChecked(
        ok=False, message=WRONG, customer_id=customer_id, email_lookup=locked.email_lookup
    )  # identical to a wrong password, even with the right one

    LoginActivitiesImpl(db_settings).reset_throttle(ResetThrottle(customer_id=customer_id))
    assert attempt(db_settings, PASSWORD, email=email).ok


def test_reauth_checks_the_given_customer(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email("reauth"), PASSWORD)
    assert attempt(db_settings, PASSWORD, customer_id=customer_id).ok
    assert not attempt(db_settings, "another-fine-passphrase", customer_id=customer_id).ok


def test_an_attacker_cannot_lock_the_owner_out_of_a_browser_that_signed_in_before(
    db_settings: Settings,
) -> None:
    """Finding 5: the device-cookie lockout keeps the owner's browser working."""
    email = unique_email("victim")
    register_customer(db_settings, email, PASSWORD)
    assert attempt(db_settings, PASSWORD, email=email, ip="198.51.100.5", device="owners").ok
    with ThreadPoolExecutor(20) as pool:
        list(
            pool.map(
                lambda i: attempt(
                    db_settings, f"guess-{i}", email=email, ip="203.0.113.66", device=f"bot-{i}"
                ),
                range(20),
            )
        )
    assert attempt(db_settings, PASSWORD, email=email, ip="198.51.100.5").retry_after_seconds > 0

    assert attempt(db_settings, PASSWORD, email=email, ip="198.51.100.5", device="owners").ok


def test_twenty_parallel_wrong_passwords_from_a_known_browser_get_its_own_allowance(
    db_settings: Settings,
) -> None:
    email = unique_email("own-allowance")
    register_customer(db_settings, email, PASSWORD)
    assert attempt(db_settings, PASSWORD, email=email, device="laptop").ok
    with ThreadPoolExecutor(20) as pool:
        answers = list(
            pool.map(
                lambda i: attempt(db_settings, f"guess-{i}", email=email, device="laptop"),
                range(20),
            )
        )

    assert sum(a.message == WRONG for a in answers) == throttle.KNOWN_DEVICE.free_failures
    # The account's own counter (unknown devices) was not touched by the owner's typos.
    assert Throttle(db_settings.database_url).failures(account_key(lookup(db_settings, email))) == 0


def test_a_shared_address_is_limited_by_distinct_accounts_not_attempts(
    db_settings: Settings,
) -> None:
    """People behind one NAT: many typos on one account cost the address one account."""
    ip = "192.0.2.77"
    email = unique_email("nat")
    register_customer(db_settings, email, PASSWORD)
    for i in range(throttle.ACCOUNT.free_failures):
        attempt(db_settings, f"typo-{i}", email=email, ip=ip)
    neighbour = unique_email("neighbour")
    register_customer(db_settings, neighbour, PASSWORD)

    assert attempt(db_settings, PASSWORD, email=neighbour, ip=ip).ok
    assert Throttle(db_settings.database_url).failures(f"acct-ip:{ip}") == 1

"""The device-cookie lockout on SQLite and PostgreSQL, with parallel attempts (threads)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from core.settings import Settings
from store.throttle import ACCOUNT, CLIENT_IP, KNOWN_DEVICE, DeviceLockout, Keys


def lockout(settings: Settings) -> DeviceLockout:
    return DeviceLockout(settings.database_url, scope=f"t{uuid.uuid4().hex[:8]}")


def parallel(count: int, attempt: object) -> list[bool]:
    assert callable(attempt)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda i: bool(attempt(i)), range(count)))


def test_twenty_parallel_unknown_devices_get_exactly_the_account_allowance(
    db_settings: Settings,
) -> None:
    gate = lockout(db_settings)
    answers = parallel(
        20,
        lambda i: gate.admit(gate.keys("victim", f"attacker-{i}", f"203.0.113.{i}")).allowed,
    )

    assert sum(answers) == ACCOUNT.free_failures
    assert gate.gate.failures(gate.keys("victim", "", "").of_account) == ACCOUNT.free_failures


def test_a_known_device_keeps_its_own_allowance_while_the_account_is_attacked(
    db_settings: Settings,
) -> None:
    gate = lockout(db_settings)
    owner = gate.keys("victim", "owners-browser", "198.51.100.7")
    gate.succeeded(owner)  # signed in before from this browser
    for i in range(ACCOUNT.free_failures + 3):
        gate.admit(gate.keys("victim", f"attacker-{i}", "203.0.113.9"))
    assert not gate.admit(gate.keys("victim", "new-browser", "198.51.100.7")).allowed

    answers = parallel(20, lambda i: gate.admit(owner).allowed)

    assert sum(answers) == KNOWN_DEVICE.free_failures


def test_the_owner_signing_in_on_a_known_device_does_not_reset_the_attackers_counter(
    db_settings: Settings,
) -> None:
    gate = lockout(db_settings)
    owner = gate.keys("victim", "owners-browser", "198.51.100.7")
    gate.succeeded(owner)
    for i in range(ACCOUNT.free_failures):
        assert gate.admit(gate.keys("victim", f"attacker-{i}", "203.0.113.9")).allowed

    assert gate.admit(owner).allowed
    gate.succeeded(owner)

    assert not gate.admit(gate.keys("victim", "attacker-x", "203.0.113.9")).allowed


def test_an_address_is_limited_by_distinct_accounts_in_parallel(db_settings: Settings) -> None:
    gate = lockout(db_settings)
    ip = "192.0.2.50"
    answers = parallel(25, lambda i: gate.admit(gate.keys(f"account-{i}", "", ip)).allowed)

    assert sum(answers) == CLIENT_IP.free_failures
    assert gate.gate.failures(Keys(gate.scope, "", "", ip).of_ip) == CLIENT_IP.free_failures


def test_many_tries_on_one_account_count_once_against_the_address(db_settings: Settings) -> None:
    gate = lockout(db_settings)
    ip = "192.0.2.51"
    parallel(20, lambda i: gate.admit(gate.keys("one-account", "", ip)).allowed)

    assert gate.gate.failures(Keys(gate.scope, "", "", ip).of_ip) == 1


def test_a_blocked_try_costs_its_address_nothing(db_settings: Settings) -> None:
    gate = lockout(db_settings)
    for i in range(ACCOUNT.free_failures):
        gate.admit(gate.keys("victim", f"attacker-{i}", "203.0.113.9"))
    victim_ip = "198.51.100.70"

    for _ in range(3):
        assert not gate.admit(gate.keys("victim", "new-browser", victim_ip)).allowed

    assert gate.gate.failures(Keys(gate.scope, "", "", victim_ip).of_ip) == 0


def test_success_from_an_unknown_device_refunds_the_address_and_makes_it_known(
    db_settings: Settings,
) -> None:
    gate = lockout(db_settings)
    keys = gate.keys("owner", "laptop", "192.0.2.60")
    assert gate.admit(keys).allowed
    assert gate.gate.failures(keys.of_ip) == 1

    gate.succeeded(keys)

    assert gate.gate.failures(keys.of_ip) == 0
    assert gate.gate.failures(keys.of_account) == 0
    assert gate.known(keys)
    assert not gate.known(gate.keys("owner", "other-laptop", "192.0.2.60"))
    assert not gate.known(gate.keys("owner", "", "192.0.2.60"))

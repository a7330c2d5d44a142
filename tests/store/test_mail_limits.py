"""The shared email limits on SQLite and PostgreSQL, with parallel sends (threads)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from core.settings import Settings
from store.mail_limits import PER_ADDRESS, PER_CLIENT, MailLimiter
from store.throttle import Admission


def parallel(count: int, admit: Callable[[int], Admission]) -> int:
    with ThreadPoolExecutor(count) as pool:
        return sum(answer.allowed for answer in pool.map(admit, range(count)))


def test_twenty_parallel_sends_to_one_address_admit_exactly_the_limit(
    db_settings: Settings,
) -> None:
    limiter = MailLimiter(db_settings.database_url)
    address = uuid.uuid4().hex

    sent = parallel(20, lambda i: limiter.admit(address, f"198.51.100.{i}"))

    assert sent == PER_ADDRESS.free_failures
    assert limiter.gate.failures(limiter.address_key(address)) == PER_ADDRESS.free_failures


def test_one_client_is_limited_across_addresses_in_parallel(db_settings: Settings) -> None:
    limiter = MailLimiter(db_settings.database_url)
    client = f"192.0.2.{uuid.uuid4().int % 250}"

    sent = parallel(25, lambda i: limiter.admit(uuid.uuid4().hex, client))

    assert sent == PER_CLIENT.free_failures


def test_a_refused_email_costs_the_client_nothing(db_settings: Settings) -> None:
    limiter = MailLimiter(db_settings.database_url)
    address = uuid.uuid4().hex
    for i in range(PER_ADDRESS.free_failures):
        assert limiter.admit(address, f"203.0.113.{i}").allowed
    victim = "198.51.100.99"

    for _ in range(3):
        assert not limiter.admit(address, victim).allowed

    assert limiter.gate.failures(limiter.client_key(victim)) == 0
    assert limiter.admit(uuid.uuid4().hex, victim).allowed

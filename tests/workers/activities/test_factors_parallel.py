"""Second factors under parallel guesses, on SQLite and PostgreSQL: TOTP and recovery codes are
throttled per customer by a compare-and-set, so 20 parallel wrong codes check exactly the limit,
and the right code is then refused too (it has to wait like any other)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from contracts.factors import CheckFactor, FactorChecked
from core.security.sealing import Sealer
from core.settings import Settings
from store import throttle
from store.factors import FactorStore
from tests.support.login import code_now, enrol_totp
from tests.support.store import register_customer, unique_email
from workers.activities.factors import FactorActivitiesImpl


def request(settings: Settings, customer_id: str, code: str) -> CheckFactor:
    journey_id = f"login-{uuid.uuid4()}"
    sealed = Sealer(settings.derive_key("sealing")).seal(code, journey_id=journey_id, field="code")
    return CheckFactor(
        attempt_id=str(uuid.uuid4()), journey_id=journey_id, customer_id=customer_id, code=sealed
    )


def twenty_wrong(check: Callable[[int], FactorChecked]) -> list[FactorChecked]:
    with ThreadPoolExecutor(20) as pool:
        return list(pool.map(check, range(20)))


def assert_exactly_the_limit_checked(answers: list[FactorChecked]) -> None:
    throttled = [a for a in answers if a.retry_after_seconds > 0]
    checked = [a for a in answers if not a.ok and a.retry_after_seconds == 0]
    assert len(checked) == throttle.SECOND_FACTOR.free_failures
    assert len(throttled) == 20 - throttle.SECOND_FACTOR.free_failures


def test_twenty_parallel_wrong_totp_codes_check_exactly_the_limit(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email("totp-burst"))
    app = enrol_totp(db_settings, customer_id)
    right = code_now(app)
    factors = FactorActivitiesImpl(db_settings)

    answers = twenty_wrong(
        lambda i: factors.check_totp(
            request(db_settings, customer_id, f"{(int(right) + 1 + i) % 10**6:06d}")
        )
    )

    assert_exactly_the_limit_checked(answers)
    assert factors.check_totp(request(db_settings, customer_id, right)).retry_after_seconds > 0


def test_twenty_parallel_wrong_recovery_codes_check_exactly_the_limit(
    db_settings: Settings,
) -> None:
    customer_id = register_customer(db_settings, unique_email("recovery-burst"))
    [right, *_] = FactorStore(db_settings).new_recovery_codes(customer_id)
    factors = FactorActivitiesImpl(db_settings)

    answers = twenty_wrong(
        lambda i: factors.check_recovery_code(
            request(db_settings, customer_id, f"wrong-code-{i:04d}")
        )
    )

    assert_exactly_the_limit_checked(answers)
    assert factors.check_recovery_code(request(db_settings, customer_id, right)).retry_after_seconds

"""Throttling of guesses (passwords, second factors) per account and per IP, race-free.

Every attempt is *admitted* before its secret is checked: admission counts it as a failure with a
compare-and-set on the counter (``UPDATE … WHERE failures = :seen``), so twenty parallel attempts
get twenty distinct numbers and the delays apply to each (Keycloak CVE-2024-4629 let parallel
requests read the counter before any of them wrote it). A success then takes its count back.

Delays grow exponentially after a few free failures and are capped, so an attacker can slow an
account down but never lock it for good — except that after :attr:`ThrottlePolicy.lock_after`
consecutive failures the account needs recovery (NIST SP 800-63B allows at most 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Result, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from store.db import session_for
from store.login_models import LoginThrottle
from store.models import utcnow

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an ``UPDATE``/``DELETE`` touched (the compare-and-set verdict)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How one kind of key is slowed down."""

    free_failures: int
    first_delay: timedelta
    max_delay: timedelta
    lock_after: int | None = None
    forget_after: timedelta | None = None

    def delay_after(self, failures: int) -> timedelta:
        """How long the next attempt must wait after ``failures`` consecutive failures.

        None before ``free_failures``; then ``first_delay``, doubling up to ``max_delay``.
        """
        over = failures - self.free_failures
        if over < 0:
            return timedelta(0)
        return min(self.first_delay * (1 << min(over, 20)), self.max_delay)


#: Per account (keyed by the email lookup, so unknown emails are throttled exactly alike).
ACCOUNT = ThrottlePolicy(
    free_failures=5,
    first_delay=timedelta(seconds=30),
    max_delay=timedelta(minutes=15),
    lock_after=100,
)
#: Per client IP: more room (shared NATs), forgotten after a quiet hour, never locked.
CLIENT_IP = ThrottlePolicy(
    free_failures=20,
    first_delay=timedelta(seconds=30),
    max_delay=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)
#: Second factors per customer: a stolen password must not buy unlimited code guesses.
SECOND_FACTOR = ThrottlePolicy(
    free_failures=5, first_delay=timedelta(seconds=30), max_delay=timedelta(minutes=15)
)


@dataclass(frozen=True)
class Admission:
    """Whether an attempt may go ahead; if not, for how long (``locked``: until recovery)."""

    allowed: bool
    retry_after: timedelta = timedelta(0)
    locked: bool = False
    number: int = 0


class Throttle:
    """Admission and success bookkeeping on the ``login_throttles`` table."""

    MAX_RACES = 100

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def admit(self, key: str, policy: ThrottlePolicy, *, now: datetime | None = None) -> Admission:
        """Count one attempt on ``key`` unless it must wait; never lets two take the same number."""
        for _ in range(self.MAX_RACES):
            at = now or utcnow()
            row = self._row(key)
            if policy.lock_after is not None and row.failures >= policy.lock_after:
                return Admission(allowed=False, locked=True, number=row.failures)
            if row.blocked_until > at:
                return Admission(allowed=False, retry_after=row.blocked_until - at)
            quiet = (
                policy.forget_after is not None and at - row.last_failure_at > policy.forget_after
            )
            number = 1 if quiet else row.failures + 1
            with session_for(self.database_url) as db:
                claimed = db.execute(
                    update(LoginThrottle)
                    .where(
                        col(LoginThrottle.key) == key,
                        col(LoginThrottle.failures) == row.failures,
                    )
                    .values(
                        failures=number,
                        blocked_until=at + policy.delay_after(number),
                        last_failure_at=at,
                    )
                )
            if rows_changed(claimed) == 1:
                return Admission(allowed=True, number=number)
        raise RuntimeError(f"throttle key {key!r} is too contended")

    def succeeded(self, key: str) -> None:
        """The account proved itself: forget its failures and delays."""
        with session_for(self.database_url) as db:
            db.execute(
                update(LoginThrottle)
                .where(col(LoginThrottle.key) == key)
                .values(failures=0, blocked_until=EPOCH)
            )

    def refund(self, key: str) -> None:
        """An admitted attempt succeeded: take back the failure it was counted as (IP keys)."""
        with session_for(self.database_url) as db:
            db.execute(
                update(LoginThrottle)
                .where(col(LoginThrottle.key) == key, col(LoginThrottle.failures) > 0)
                .values(failures=col(LoginThrottle.failures) - 1)
            )

    def failures(self, key: str) -> int:
        """The consecutive failures counted on ``key`` (0 if none)."""
        with session_for(self.database_url) as db:
            row = db.get(LoginThrottle, key)
            return row.failures if row is not None else 0

    def _row(self, key: str) -> LoginThrottle:
        with session_for(self.database_url) as db:
            row = db.get(LoginThrottle, key)
        if row is not None:
            return row
        try:
            with session_for(self.database_url) as db:
                db.add(
                    LoginThrottle(key=key, failures=0, blocked_until=EPOCH, last_failure_at=EPOCH)
                )
        except IntegrityError:
            pass  # a parallel attempt created it first
        with session_for(self.database_url) as db:
            created = db.get(LoginThrottle, key)
        assert created is not None
        return created

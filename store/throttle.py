"""Throttling of guesses (passwords, second factors) per account and per IP, race-free.

Every attempt is *admitted* before its secret is checked: admission counts it as a failure with a
compare-and-set on the counter (``UPDATE … WHERE failures = :seen``), so twenty parallel attempts
get twenty distinct numbers and the delays apply to each (Keycloak CVE-2024-4629 let parallel
requests read the counter before any of them wrote it). A success then takes its count back.

Delays grow exponentially after a few free failures and are capped, so an attacker can slow an
account down but never lock it for good — except that after :attr:`ThrottlePolicy.lock_after`
consecutive failures the account needs recovery (NIST SP 800-63B allows at most 100).

Sign-ins (customers and staff alike) go through :class:`DeviceLockout`, OWASP's device-cookie
lockout: a browser that signed in to an account before keeps its own allowance, so an attacker
guessing from elsewhere cannot lock the owner out; the account's own counter applies to unknown
devices only; and a client address is limited by the number of *distinct* accounts it fails on,
so people behind one NAT do not throttle each other and a blocked try costs its address nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
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
#: Per client IP, counting distinct accounts failed on (shared NATs), forgotten after a quiet
#: hour, never locked.
CLIENT_IP = ThrottlePolicy(
    free_failures=20,
    first_delay=timedelta(seconds=30),
    max_delay=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)
#: Per account on a device that signed in to it before: its own allowance, never locked (the
#: owner's browser must keep working while the account is attacked from elsewhere).
KNOWN_DEVICE = ThrottlePolicy(
    free_failures=5, first_delay=timedelta(seconds=30), max_delay=timedelta(minutes=15)
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


def wait_seconds(retry_after: timedelta) -> int:
    """``retry_after`` in whole seconds, rounded up and at least 1: the wait a page tells."""
    return max(int(retry_after.total_seconds() + 0.999), 1)


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
                        # No delay is EPOCH, not ``at``: a parallel attempt that read the clock a
                        # moment earlier would otherwise see a block of a few milliseconds.
                        blocked_until=at + delay
                        if (delay := policy.delay_after(number))
                        else EPOCH,
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

    def blocked(
        self, key: str, policy: ThrottlePolicy, *, now: datetime | None = None
    ) -> Admission:
        """Whether ``key`` must wait now, without counting anything (a read)."""
        at = now or utcnow()
        with session_for(self.database_url) as db:
            row = db.get(LoginThrottle, key)
        if row is None:
            return Admission(allowed=True)
        if policy.lock_after is not None and row.failures >= policy.lock_after:
            return Admission(allowed=False, locked=True, number=row.failures)
        if row.blocked_until > at:
            return Admission(allowed=False, retry_after=row.blocked_until - at)
        return Admission(allowed=True, number=row.failures)

    def first_in(self, key: str, window: timedelta, *, now: datetime | None = None) -> bool:
        """True for exactly one caller per ``window`` on ``key`` (compare-and-set on its time)."""
        at = now or utcnow()
        for _ in range(self.MAX_RACES):
            row = self._row(key)
            if at - row.last_failure_at <= window:
                return False
            with session_for(self.database_url) as db:
                claimed = db.execute(
                    update(LoginThrottle)
                    .where(
                        col(LoginThrottle.key) == key,
                        col(LoginThrottle.last_failure_at) == row.last_failure_at,
                    )
                    .values(last_failure_at=at)
                )
            if rows_changed(claimed) == 1:
                return True
        raise RuntimeError(f"throttle key {key!r} is too contended")

    def forget(self, key: str) -> bool:
        """Clear ``key``'s window (see :meth:`first_in`); True if it was inside one."""
        with session_for(self.database_url) as db:
            result = db.execute(
                update(LoginThrottle)
                .where(col(LoginThrottle.key) == key, col(LoginThrottle.last_failure_at) > EPOCH)
                .values(last_failure_at=EPOCH, failures=0, blocked_until=EPOCH)
            )
        return rows_changed(result) == 1

    def ensure(self, key: str) -> None:
        """Create ``key``'s row (no failures) if it has none."""
        self._row(key)

    def exists(self, key: str) -> bool:
        """True once ``key`` has a row (a device that signed in before has one)."""
        with session_for(self.database_url) as db:
            return db.get(LoginThrottle, key) is not None

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
        # Created by INSERT; a parallel attempt that created it first makes ours an IntegrityError,
        # and either way the row read below is the one both attempts share.
        with contextlib.suppress(IntegrityError), session_for(self.database_url) as db:
            db.add(LoginThrottle(key=key, failures=0, blocked_until=EPOCH, last_failure_at=EPOCH))
        with session_for(self.database_url) as db:
            created = db.get(LoginThrottle, key)
        assert created is not None
        return created


def _pair(*parts: str) -> str:
    """A fixed-length digest of key parts (a row key holds at most 120 characters)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Keys:
    """The throttle keys of one sign-in attempt: ``scope`` keeps customers and staff apart."""

    scope: str
    account: str
    device: str
    client_ip: str

    @property
    def of_account(self) -> str:
        """The account's own counter (unknown devices)."""
        return f"{self.scope}:{self.account}"

    @property
    def of_device(self) -> str:
        """The counter of this device on this account; its row marks the device as known."""
        return f"{self.scope}-dev:{_pair(self.account, self.device)}"

    @property
    def of_ip(self) -> str:
        """The client address's counter of distinct accounts failed on."""
        return f"{self.scope}-ip:{self.client_ip[:64]}"

    @property
    def of_ip_account(self) -> str:
        """Marks that the address already counted this account in the current window."""
        return f"{self.scope}-ipacct:{_pair(self.client_ip, self.account)}"


class DeviceLockout:
    """OWASP's device-cookie lockout, race-free on :class:`Throttle` (customers and staff).

    Call :meth:`admit` before checking a secret and :meth:`succeeded` when it was right. A device
    is *known* to an account once it signed in to it; ``device`` is the keyed hash of the
    browser's device cookie (empty when there is none: then it is an unknown device).
    """

    def __init__(self, database_url: str, *, scope: str) -> None:
        self.gate = Throttle(database_url)
        self.scope = scope

    def keys(self, account: str, device: str, client_ip: str) -> Keys:
        """The keys of an attempt; ``account`` must be the same for known and unknown accounts."""
        return Keys(self.scope, account, device, client_ip)

    def known(self, keys: Keys) -> bool:
        """True when this device signed in to this account before."""
        return bool(keys.device) and self.gate.exists(keys.of_device)

    def admit(self, keys: Keys) -> Admission:
        """Count the attempt unless it must wait: a known device against its own allowance only;
        an unknown one against the account, then (once per account and window) its address."""
        if self.known(keys):
            return self.gate.admit(keys.of_device, KNOWN_DEVICE)
        by_ip = self.gate.blocked(keys.of_ip, CLIENT_IP)
        if not by_ip.allowed:
            return by_ip
        by_account = self.gate.admit(keys.of_account, ACCOUNT)
        if not by_account.allowed:
            return by_account  # a blocked try costs its address nothing
        window = CLIENT_IP.forget_after or timedelta(hours=1)
        if self.gate.first_in(keys.of_ip_account, window):
            by_ip = self.gate.admit(keys.of_ip, CLIENT_IP)
            if not by_ip.allowed:
                self.gate.refund(keys.of_account)
                self.gate.forget(keys.of_ip_account)
                return by_ip
        return by_account

    def succeeded(self, keys: Keys) -> None:
        """The secret was right: this device becomes known and its counters start again.

        The account's own counter is cleared only by a sign-in from an unknown device (the
        owner's known browser proves nothing about the attempts made elsewhere).
        """
        if self.known(keys):
            self.gate.succeeded(keys.of_device)
            return
        self.gate.succeeded(keys.of_account)
        if self.gate.forget(keys.of_ip_account):
            self.gate.refund(keys.of_ip)
        if keys.device:
            self.gate.ensure(keys.of_device)  # the row marks the device as known

    def reset(self, account: str) -> None:
        """After recovery: the account proved control, its own counter starts again."""
        self.gate.succeeded(f"{self.scope}:{account}")

"""Staff accounts: creation, sign-in with password + TOTP (both mandatory), sessions and tokens.

Creation prints an initial password once (``threshold staff add``): it needs no mail server and no
setup page that an attacker could race for, and the first sign-in must replace it (until then the
session is ``pending`` and opens only the password page). Sign-in goes through the same race-free
device-cookie lockout as customers (:class:`store.throttle.DeviceLockout`, scope ``staff``): a
browser that signed in before keeps its own allowance, unknown devices share the account's, an
address is limited by the distinct accounts it fails on. Unknown emails are throttled and answered
exactly like real ones, after the same argon2 verification.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Literal

from sqlalchemy import update
from sqlmodel import col, select

from contracts.emails import normalize_email
from core.security.hashing import keyed_hash
from core.security.passwords import PasswordPolicy, hash_password, verify_password
from core.security.staff_totp import StaffTotp, TotpBoxError
from core.settings import Settings
from store import audit
from store.db import session_for
from store.models import AuditEvent, utcnow
from store.staff_models import StaffMember, StaffSession
from store.throttle import DeviceLockout

Role = Literal["support", "admin"]
ROLES: tuple[Role, ...] = ("support", "admin")


class StaffError(ValueError):
    """A staff-management request that cannot be done (duplicate email, unknown member)."""


class LoginRefused(Exception):
    """Sign-in refused; ``message`` is safe to show (it never says which factor was wrong)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class NewStaff:
    """What ``threshold staff add`` prints once: nothing here is stored in the clear."""

    staff_id: str
    email: str
    role: str
    password: str
    otpauth_uri: str


@dataclass(frozen=True)
class SignedInStaff:
    """The staff member behind a valid session or token."""

    staff: StaffMember
    session: StaffSession


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@cache
def _dummy_hash() -> str:
    return hash_password("threshold-staff-dummy-password-for-constant-time")


WRONG = "Email, password or code is not right."


class StaffDirectory:
    """Every staff operation; web routes, the codec endpoint and the CLI share it."""

    IDLE = timedelta(minutes=30)
    ABSOLUTE = timedelta(hours=8)
    MAX_TOKEN_DAYS = 90

    #: A session that may only replace the initial password, and how long it lasts.
    PENDING = "pending"
    PENDING_LIFETIME = timedelta(minutes=15)

    def __init__(self, settings: Settings) -> None:
        self.database_url = settings.database_url
        self.totp = StaffTotp(settings.derive_key("staff-totp"))
        self.lockout = DeviceLockout(settings.database_url, scope="staff")
        self.throttle_key = settings.derive_key("staff-throttle")

    # ----- accounts ------------------------------------------------------------------------

    def add(self, email: str, role: str) -> NewStaff:
        """Create a member with a random initial password and a new TOTP secret."""
        if role not in ROLES:
            raise StaffError(f"role must be one of {', '.join(ROLES)}")
        address = normalize_email(email)
        staff_id = str(uuid.uuid4())
        password = secrets.token_urlsafe(18)
        secret = StaffTotp.new_secret()
        with session_for(self.database_url) as db:
            if db.exec(select(StaffMember).where(StaffMember.email == address)).first():
                raise StaffError(f"{address} is already a staff member")
            db.add(
                StaffMember(
                    id=staff_id,
                    email=address,
                    role=role,
                    password_hash=hash_password(password),
                    totp_box=self.totp.seal(secret, staff_id=staff_id),
                )
            )
        audit.record(self.database_url, "staff.added", staff_id=staff_id, role=role)
        return NewStaff(
            staff_id=staff_id,
            email=address,
            role=role,
            password=password,
            otpauth_uri=StaffTotp.provisioning_uri(secret, address),
        )

    def get(self, staff_id: str) -> StaffMember | None:
        """A member by id."""
        with session_for(self.database_url) as db:
            return db.get(StaffMember, staff_id)

    def by_email(self, email: str) -> StaffMember:
        """A member by email, or :class:`StaffError`."""
        with session_for(self.database_url) as db:
            found = db.exec(
                select(StaffMember).where(StaffMember.email == normalize_email(email))
            ).first()
        if found is None:
            raise StaffError(f"{email} is not a staff member")
        return found

    # ----- sign-in -------------------------------------------------------------------------

    def authenticate(
        self, email: str, password: str, code: str, *, device: str = "", client_ip: str = ""
    ) -> StaffMember:
        """The member if password AND a fresh TOTP code are right, else :class:`LoginRefused`.

        ``device`` is the keyed hash of the browser's device cookie. Every path, known email or
        not, throttled or not, verifies one argon2 hash, so time reveals nothing either.
        """
        address = _normalized(email)
        keys = self.lockout.keys(keyed_hash(self.throttle_key, "staff", address), device, client_ip)
        admission = self.lockout.admit(keys)
        member = self._member(address) if admission.allowed else None
        if member is None:
            verify_password(_dummy_hash(), password)
            if not admission.allowed:
                minutes = int(admission.retry_after.total_seconds() // 60) + 1
                raise LoginRefused(
                    "locked", f"Too many failed attempts. Try again in {minutes} minutes."
                )
            raise LoginRefused("wrong", WRONG)
        step = self._check_factors(member, password, code)
        if step is None or not self._consume_step(member.id, step):
            audit.record(self.database_url, "staff.sign_in_refused", staff_id=member.id)
            raise LoginRefused("wrong", WRONG)
        self.lockout.succeeded(keys)
        audit.record(self.database_url, "staff.signed_in", staff_id=member.id)
        return member

    def must_replace_password(self, staff_id: str) -> bool:
        """True until the member replaced the initial password ``threshold staff add`` printed."""
        with session_for(self.database_url) as db:
            found = db.exec(select(AuditEvent.id).where(AuditEvent.key == _replaced_key(staff_id)))
            return found.first() is None

    def replace_password(self, staff_id: str, new_password: str) -> None:
        """Set a new password (policy-checked, not the current one), or :class:`StaffError`."""
        member = self.get(staff_id)
        if member is None:
            raise StaffError("not a staff member")
        problem = PasswordPolicy.problem(new_password, email=member.email)
        if problem is None and verify_password(member.password_hash, new_password):
            problem = "Choose a password different from the current one."
        if problem is not None:
            raise StaffError(problem)
        fresh = hash_password(new_password)
        with session_for(self.database_url) as db:
            row = db.get(StaffMember, staff_id)
            assert row is not None
            row.password_hash = fresh
            db.add(row)
        audit.record(self.database_url, "staff.password_changed", staff_id=staff_id)
        audit.record(
            self.database_url, "staff.initial_password_replaced", key=_replaced_key(staff_id)
        )

    def _member(self, address: str) -> StaffMember | None:
        if not address:
            return None
        with session_for(self.database_url) as db:
            found = db.exec(select(StaffMember).where(StaffMember.email == address)).first()
        return found if found is not None and found.disabled_at is None else None

    def _check_factors(self, member: StaffMember, password: str, code: str) -> int | None:
        password_ok = verify_password(member.password_hash, password)
        try:
            secret = self.totp.open(member.totp_box, staff_id=member.id)
        except TotpBoxError:
            return None
        step = self.totp.matching_step(secret, code.strip(), after_step=member.totp_last_step)
        return step if password_ok else None

    def _consume_step(self, staff_id: str, step: int) -> bool:
        """Record ``step`` as used; False if a concurrent sign-in used it (or a newer one) first."""
        with session_for(self.database_url) as db:
            result = db.exec(
                update(StaffMember)
                .where(col(StaffMember.id) == staff_id, col(StaffMember.totp_last_step) < step)
                .values(totp_last_step=step)
            )
            return bool(result.rowcount == 1)

    # ----- sessions and tokens -------------------------------------------------------------

    def issue(self, staff_id: str, *, kind: str = "browser", days: int | None = None) -> str:
        """A new random session id (browser) or bearer token; only its SHA-256 is stored."""
        raw = secrets.token_urlsafe(32)
        now = utcnow()
        absolute = timedelta(days=days) if days else self.ABSOLUTE
        if kind == self.PENDING:
            absolute = self.PENDING_LIFETIME
        idle = absolute if kind == "token" else self.IDLE
        with session_for(self.database_url) as db:
            db.add(
                StaffSession(
                    id_hash=_digest(raw),
                    staff_id=staff_id,
                    kind=kind,
                    created_at=now,
                    last_seen_at=now,
                    idle_expires_at=now + idle,
                    absolute_expires_at=now + absolute,
                )
            )
        return raw

    def issue_token(self, email: str, days: int) -> str:
        """A bearer token for the codec endpoint (``passAccessToken``) or scripts."""
        if not 1 <= days <= self.MAX_TOKEN_DAYS:
            raise StaffError(f"a token lives 1 to {self.MAX_TOKEN_DAYS} days")
        member = self.by_email(email)
        token = self.issue(member.id, kind="token", days=days)
        audit.record(self.database_url, "staff.token_issued", staff_id=member.id, days=days)
        return token

    def load(self, raw: str | None, *, pending: bool = False) -> SignedInStaff | None:
        """The staff member behind a session id or token, if it is valid now.

        A ``pending`` session (initial password not yet replaced) counts only when ``pending``
        is asked for: the password page does, nothing else.
        """
        if not raw or len(raw) > 128:
            return None
        now = utcnow()
        with session_for(self.database_url) as db:
            row = db.get(StaffSession, _digest(raw))
            if row is None or row.revoked_at is not None:
                return None
            if row.kind == self.PENDING and not pending:
                return None
            if now >= row.idle_expires_at or now >= row.absolute_expires_at:
                return None
            member = db.get(StaffMember, row.staff_id)
            if member is None or member.disabled_at is not None:
                return None
            if row.kind == "browser" and now - row.last_seen_at >= timedelta(minutes=1):
                row.last_seen_at = now
                row.idle_expires_at = min(now + self.IDLE, row.absolute_expires_at)
                db.add(row)
            return SignedInStaff(staff=member, session=row)

    def revoke(self, raw: str) -> None:
        """End a session or token; the row stays for the audit trail."""
        with session_for(self.database_url) as db:
            row = db.get(StaffSession, _digest(raw))
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()
                db.add(row)


def _normalized(email: str) -> str:
    """The normalised address, or the raw text lower-cased (so junk is throttled too)."""
    try:
        return normalize_email(email)
    except ValueError:
        return email.strip().lower()[:320]


def _replaced_key(staff_id: str) -> str:
    """The audit key that records, once, that a member replaced the initial password."""
    return f"staff.initial_password_replaced:{staff_id}"

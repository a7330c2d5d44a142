"""Staff accounts: creation, sign-in with password + TOTP (both mandatory), sessions and tokens.

Creation prints an initial password once (``threshold staff add``): it needs no mail server and no
setup page that an attacker could race for. Sign-in throttles per account: after
:attr:`StaffDirectory.MAX_FAILURES` consecutive failures the account is locked for
:attr:`StaffDirectory.LOCKOUT`, and the password is not even checked while locked. Unknown emails
spend the same argon2 time as known ones.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import col, select

from contracts.emails import normalize_email
from core.security.passwords import dummy_hash, hash_password, verify_password
from core.security.staff_totp import StaffTotp, TotpBoxError
from core.settings import Settings
from store import audit
from store.db import session_for
from store.models import utcnow
from store.staff_models import StaffMember, StaffSession

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


class StaffDirectory:
    """Every staff operation; web routes, the codec endpoint and the CLI share it."""

    MAX_FAILURES = 5
    LOCKOUT = timedelta(minutes=15)
    IDLE = timedelta(minutes=30)
    ABSOLUTE = timedelta(hours=8)
    MAX_TOKEN_DAYS = 90

    def __init__(self, settings: Settings) -> None:
        self.database_url = settings.database_url
        self.totp = StaffTotp(settings.derive_key("staff-totp"))

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

    def authenticate(self, email: str, password: str, code: str) -> StaffMember:
        """The member if password AND a fresh TOTP code are right, else :class:`LoginRefused`."""
        try:
            address = normalize_email(email)
        except ValueError:
            address = ""
        with session_for(self.database_url) as db:
            member = (
                db.exec(select(StaffMember).where(StaffMember.email == address)).first()
                if address
                else None
            )
        if member is None or member.disabled_at is not None:
            dummy_hash(password)
            raise LoginRefused("wrong", "Email, password or code is not right.")
        now = utcnow()
        if member.locked_until is not None and now < member.locked_until:
            minutes = int((member.locked_until - now).total_seconds() // 60) + 1
            raise LoginRefused(
                "locked", f"Too many failed attempts. Try again in {minutes} minutes."
            )
        step = self._check_factors(member, password, code)
        if step is None or not self._consume_step(member.id, step):
            self._failed(member)
            raise LoginRefused("wrong", "Email, password or code is not right.")
        audit.record(self.database_url, "staff.signed_in", staff_id=member.id)
        return member

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
                .values(totp_last_step=step, failed_logins=0, locked_until=None)
            )
            return bool(result.rowcount == 1)

    def _failed(self, member: StaffMember) -> None:
        with session_for(self.database_url) as db:
            row = db.get(StaffMember, member.id)
            assert row is not None
            row.failed_logins += 1
            if row.failed_logins >= self.MAX_FAILURES:
                row.failed_logins = 0
                row.locked_until = utcnow() + self.LOCKOUT
            db.add(row)
        audit.record(self.database_url, "staff.sign_in_refused", staff_id=member.id)

    # ----- sessions and tokens -------------------------------------------------------------

    def issue(self, staff_id: str, *, kind: str = "browser", days: int | None = None) -> str:
        """A new random session id (browser) or bearer token; only its SHA-256 is stored."""
        raw = secrets.token_urlsafe(32)
        now = utcnow()
        absolute = timedelta(days=days) if days else self.ABSOLUTE
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

    def load(self, raw: str | None) -> SignedInStaff | None:
        """The staff member behind a session id or token, if it is valid now."""
        if not raw or len(raw) > 128:
            return None
        now = utcnow()
        with session_for(self.database_url) as db:
            row = db.get(StaffSession, _digest(raw))
            if row is None or row.revoked_at is not None:
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

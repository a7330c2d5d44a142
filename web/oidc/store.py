"""The provider's reads and writes: codes, tokens and their families, each one small transaction.

Single use is enforced by conditional UPDATEs (``… WHERE used_at IS NULL``), so two parallel
redemptions of one code or one refresh token cannot both succeed; the loser revokes the family.
A client assertion's ``jti`` is spent by an INSERT under a primary key, for the same reason.

A code or token names a customer (:class:`Grant`) or, for a staff-only client, a staff member
(:class:`StaffGrant`); each is resolved back only while its account is still active.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.db import session_for
from store.models import Customer, Session, utcnow
from store.oidc_models import ClientAssertion, OAuthClient, OAuthCode, OAuthToken
from store.staff_models import StaffMember, StaffSession
from web.oidc.records import Client, Subject, Token

CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = timedelta(minutes=10)
REFRESH_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class Grant:
    """Who is signed in and how: what goes into the code and then the ID token."""

    customer: Customer
    session: Session
    sid: str

    @property
    def auth_time(self) -> datetime:
        return self.session.authenticated_at or self.session.created_at

    @property
    def acr(self) -> str:
        return self.session.acr

    @property
    def amr(self) -> str:
        return self.session.amr


@dataclass(frozen=True)
class StaffGrant:
    """A staff member signed in at ``/support/login``, for a staff-only client.

    Staff sign in with a password and a TOTP code, always: ``aal2`` by two factors.
    """

    staff: StaffMember
    session: StaffSession
    sid: str
    acr = "aal2"
    amr = "pwd otp"

    @property
    def auth_time(self) -> datetime:
        return self.session.created_at


class ProviderStore:
    """Clients, codes and tokens, keyed by hashes only."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.key = settings.derive_key("oidc-tokens")
        self.client_key = settings.derive_key("oidc-client-secrets")

    def hash(self, kind: str, value: str) -> str:
        """The keyed hash a code or token is stored (and looked up) as."""
        return keyed_hash(self.key, kind, value)

    def client(self, client_id: str) -> Client | None:
        with session_for(self.url) as db:
            row = db.get(OAuthClient, client_id)
        return Client(row, self.client_key) if row else None

    def customer(self, customer_id: str) -> Customer | None:
        with session_for(self.url) as db:
            row = db.get(Customer, customer_id)
        return row if row is not None and row.status == "active" else None

    def subject(self, row: OAuthCode | OAuthToken) -> Subject | None:
        """The active customer or the enabled staff member a code or token names, else ``None``
        (a disabled staff member's codes and tokens stop working at once)."""
        if row.customer_id is not None:
            return self.customer(row.customer_id)
        with session_for(self.url) as db:
            staff = db.get(StaffMember, row.staff_id)
        return staff if staff is not None and staff.disabled_at is None else None

    def spend_assertion(self, client_id: str, jti: str, keep_until: datetime) -> bool:
        """Remember a client assertion's ``jti`` until ``keep_until``; ``False`` if this client
        already presented it. The insert is the check: of parallel requests with one assertion,
        exactly one inserts. Rows past their time are purged first (cheap: indexed)."""
        with session_for(self.url) as db:
            db.exec(delete(ClientAssertion).where(col(ClientAssertion.expires_at) <= utcnow()))
        try:
            with session_for(self.url) as db:
                db.add(
                    ClientAssertion(
                        client_id=client_id,
                        jti_hash=self.hash("client-assertion", jti),
                        expires_at=keep_until,
                    )
                )
        except IntegrityError:
            return False
        return True

    def save_code(
        self,
        code: str,
        client_id: str,
        grant: Grant | StaffGrant,
        redirect_uri: str,
        data: dict[str, str],
    ) -> None:
        """Store a new code (hashed) with everything the token request will need."""
        with session_for(self.url) as db:
            db.add(
                OAuthCode(
                    code_hash=self.hash("code", code),
                    client_id=client_id,
                    customer_id=None if isinstance(grant, StaffGrant) else grant.customer.id,
                    staff_id=grant.staff.id if isinstance(grant, StaffGrant) else None,
                    redirect_uri=redirect_uri,
                    scope=data.get("scope", ""),
                    nonce=data.get("nonce", "")[:255],
                    code_challenge=data.get("code_challenge", ""),
                    code_challenge_method=data.get("code_challenge_method", ""),
                    sid=grant.sid,
                    auth_time=grant.auth_time,
                    acr=grant.acr,
                    amr=grant.amr,
                    family=secrets.token_hex(16),
                    expires_at=utcnow() + CODE_LIFETIME,
                )
            )

    def find_code(self, code: str, client_id: str) -> OAuthCode | None:
        """The code if it belongs to ``client_id`` and is unexpired; a reused code revokes every
        token issued from it (RFC 6749 §4.1.2) and is answered as unknown."""
        with session_for(self.url) as db:
            row = db.get(OAuthCode, self.hash("code", code))
        if row is None or row.client_id != client_id or utcnow() >= row.expires_at:
            return None
        if row.used_at is not None:
            self.revoke_family(row.family)
            return None
        return row

    def spend_code(self, row: OAuthCode) -> bool:
        """Mark the code used; ``False`` if a parallel request spent it first."""
        with session_for(self.url) as db:
            done = db.exec(
                update(OAuthCode)
                .where(col(OAuthCode.code_hash) == row.code_hash)
                .where(col(OAuthCode.used_at).is_(None))
                .values(used_at=utcnow())
            )
            return bool(done.rowcount == 1)

    def save_token(
        self, token: dict[str, str], client_id: str, origin: OAuthCode | OAuthToken
    ) -> None:
        """Store an issued token pair under the family (and for the subject) of the code or
        refresh token it came from."""
        now = utcnow()
        refresh = token.get("refresh_token")
        with session_for(self.url) as db:
            db.add(
                OAuthToken(
                    client_id=client_id,
                    customer_id=origin.customer_id,
                    staff_id=origin.staff_id,
                    scope=token.get("scope", ""),
                    family=origin.family,
                    sid=origin.sid,
                    auth_time=origin.auth_time,
                    acr=origin.acr,
                    amr=origin.amr,
                    access_hash=self.hash("access", token["access_token"]),
                    refresh_hash=self.hash("refresh", refresh) if refresh else None,
                    issued_at=now,
                    access_expires_at=now + ACCESS_LIFETIME,
                    refresh_expires_at=now + REFRESH_LIFETIME if refresh else None,
                )
            )

    def _token(self, row: OAuthToken | None) -> Token | None:
        if row is None:
            return None
        client = self.client(row.client_id)
        user = self.subject(row)
        if client is None or user is None:
            return None
        return Token(row, client, user)

    def by_access(self, access_token: str) -> Token | None:
        with session_for(self.url) as db:
            row = db.exec(
                select(OAuthToken).where(
                    OAuthToken.access_hash == self.hash("access", access_token)
                )
            ).first()
        return self._token(row)

    def by_refresh(self, refresh_token: str) -> Token | None:
        with session_for(self.url) as db:
            row = db.exec(
                select(OAuthToken).where(
                    OAuthToken.refresh_hash == self.hash("refresh", refresh_token)
                )
            ).first()
        return self._token(row)

    def rotate(self, row: OAuthToken) -> bool:
        """Retire a refresh token that is being exchanged; ``False`` if it already was."""
        with session_for(self.url) as db:
            done = db.exec(
                update(OAuthToken)
                .where(col(OAuthToken.id) == row.id)
                .where(col(OAuthToken.rotated_at).is_(None))
                .where(col(OAuthToken.revoked_at).is_(None))
                .values(rotated_at=utcnow())
            )
            return bool(done.rowcount == 1)

    def revoke_family(self, family: str) -> None:
        """Revoke every token descended from one authorization code."""
        with session_for(self.url) as db:
            db.exec(
                update(OAuthToken)
                .where(col(OAuthToken.family) == family)
                .where(col(OAuthToken.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )

    def revoke_session(self, sid: str) -> None:
        """Revoke every token issued under one browser session (RP-initiated logout)."""
        with session_for(self.url) as db:
            db.exec(
                update(OAuthToken)
                .where(col(OAuthToken.sid) == sid)
                .where(col(OAuthToken.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )

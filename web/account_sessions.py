"""A customer's own sessions: list them for humans, revoke one or all others, check re-auth age.

A session is addressed in pages by a *handle*, a keyed hash of its stored digest: the page never
carries anything derived from the cookie without a key, and a handle only ever matches one of the
customer's own sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.db import session_for
from store.models import Session, utcnow
from web.sessions import SignedIn

#: Changing sign-in factors needs a sign-in (or re-authentication) at most this old.
REAUTH_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class SessionLine:
    """One row of the sessions page."""

    handle: str
    device: str
    location: str
    ip: str
    signed_in_at: datetime
    last_seen_at: datetime
    methods: str
    current: bool


class AccountSessions:
    """Reads and revokes the sessions of one deployment."""

    def __init__(self, settings: Settings) -> None:
        self.database_url = settings.database_url
        self.key = settings.derive_key("session-handle")

    def handle(self, id_hash: str) -> str:
        """The public name of a session in pages and forms."""
        return keyed_hash(self.key, "session", id_hash)[:32]

    def lines(self, me: SignedIn) -> list[SessionLine]:
        """The customer's live sessions, this browser first, then the most recently seen."""
        now = utcnow()
        with session_for(self.database_url) as db:
            rows = db.exec(
                select(Session).where(
                    Session.customer_id == me.customer.id, col(Session.revoked_at).is_(None)
                )
            ).all()
        live = [r for r in rows if now < r.idle_expires_at and now < r.absolute_expires_at]
        live.sort(key=lambda r: (r.id_hash != me.session.id_hash, -r.last_seen_at.timestamp()))
        return [
            SessionLine(
                handle=self.handle(r.id_hash),
                device=device_of(r),
                location=r.country or "Unknown",
                ip=r.ip,
                signed_in_at=r.authenticated_at or r.created_at,
                last_seen_at=r.last_seen_at,
                methods=" + ".join(r.amr.split()) or "—",
                current=r.id_hash == me.session.id_hash,
            )
            for r in live
        ]

    def revoke(self, me: SignedIn, handle: str) -> bool:
        """Sign out the customer's session named ``handle``; false if there is no such session."""
        with session_for(self.database_url) as db:
            rows = db.exec(
                select(Session).where(
                    Session.customer_id == me.customer.id, col(Session.revoked_at).is_(None)
                )
            ).all()
            for row in rows:
                if self.handle(row.id_hash) == handle:
                    row.revoked_at = utcnow()
                    db.add(row)
                    return True
        return False

    def revoke_others(self, me: SignedIn) -> int:
        """Sign out every other browser of the customer; returns how many."""
        count = 0
        with session_for(self.database_url) as db:
            rows = db.exec(
                select(Session).where(
                    Session.customer_id == me.customer.id,
                    col(Session.revoked_at).is_(None),
                    Session.id_hash != me.session.id_hash,
                )
            ).all()
            for row in rows:
                row.revoked_at = utcnow()
                db.add(row)
                count += 1
        return count

    @staticmethod
    def recently_authenticated(me: SignedIn, *, within: timedelta = REAUTH_WINDOW) -> bool:
        """Whether this session proved the customer within ``within`` (re-auth gate)."""
        at = me.session.authenticated_at
        return at is not None and utcnow() - at <= within


def device_of(row: Session) -> str:
    """ "Chrome 131 on Windows 10 (desktop)", as parsed at sign-in; the raw user agent only when
    nothing could be parsed (a customer cannot read "Mozilla/5.0 (X11; …" as a device)."""
    described = " on ".join(p for p in (row.browser, row.os) if p)
    if described:
        return f"{described} ({row.device_type})" if row.device_type else described
    return row.user_agent[:80] or "Unknown browser"

"""Server-side sessions: the browser holds a random id, the database holds only its SHA-256.

Idle and absolute timeouts are enforced on every read; a session is issued (and so rotated) at every
sign-in. Sessions issued by a journey derive their id from the journey and a random nonce that only
the browser's journey cookie holds, so a retried or repeated finish of the same journey sets the
same session again instead of minting a second one (and a web crash mid-response loses nothing).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.db import session_for
from store.models import Customer, Session, utcnow


@dataclass(frozen=True)
class SignedIn:
    """The customer behind a valid session."""

    customer: Customer
    session: Session


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Create, read, touch and revoke sessions."""

    TOUCH_EVERY = timedelta(minutes=1)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = settings.derive_key("journey-session")
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.absolute = timedelta(hours=settings.session_absolute_hours)

    def issue_for_journey(
        self,
        *,
        customer_id: str,
        journey_id: str,
        nonce: str,
        amr: list[str],
        user_agent: str,
        ip: str,
        acr: str = "",
        device: dict[str, str] | None = None,
    ) -> str:
        """The session id for a finished journey; created once, the same id on every retry.

        ``device`` (``country``, ``browser``, ``os``, ``device_type``) is what the sign-in's risk
        assessment saw, shown in the sessions list.
        """
        seen = device or {}
        session_id = keyed_hash(self.key, journey_id, nonce)
        digest = _digest(session_id)
        with session_for(self.settings.database_url) as db:
            existing = db.get(Session, digest)
            if existing is None:
                if db.exec(select(Session).where(Session.journey_id == journey_id)).first():
                    raise PermissionError("this journey already signed in another browser")
                now = utcnow()
                db.add(
                    Session(
                        id_hash=digest,
                        customer_id=customer_id,
                        journey_id=journey_id,
                        amr=" ".join(amr),
                        acr=acr[:64],
                        user_agent=user_agent[:512],
                        ip=ip[:64],
                        country=seen.get("country", "")[:8],
                        browser=seen.get("browser", "")[:64],
                        os=seen.get("os", "")[:64],
                        device_type=seen.get("device_type", "")[:16],
                        created_at=now,
                        authenticated_at=now,
                        last_seen_at=now,
                        idle_expires_at=now + self.idle,
                        absolute_expires_at=now + self.absolute,
                    )
                )
            elif existing.revoked_at is not None:
                raise PermissionError("this session was signed out")
        return session_id

    def load(self, session_id: str | None) -> SignedIn | None:
        """The signed-in customer for a cookie value, or ``None`` if unknown, expired or revoked."""
        if not session_id or len(session_id) > 128:
            return None
        now = utcnow()
        with session_for(self.settings.database_url) as db:
            row = db.get(Session, _digest(session_id))
            if row is None or row.revoked_at is not None:
                return None
            if now >= row.idle_expires_at or now >= row.absolute_expires_at:
                return None
            customer = db.get(Customer, row.customer_id)
            if customer is None or customer.status != "active":
                return None
            if now - row.last_seen_at >= self.TOUCH_EVERY:
                row.last_seen_at = now
                row.idle_expires_at = min(now + self.idle, row.absolute_expires_at)
                db.add(row)
            return SignedIn(customer=customer, session=row)

    def revoke(self, session_id: str) -> None:
        """Sign a browser out; the row stays for the audit trail."""
        with session_for(self.settings.database_url) as db:
            row = db.get(Session, _digest(session_id))
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()
                db.add(row)

    def active_for(self, customer_id: str) -> list[Session]:
        """The customer's live sessions, newest first (for the account page)."""
        now = utcnow()
        with session_for(self.settings.database_url) as db:
            rows = db.exec(
                select(Session)
                .where(Session.customer_id == customer_id, col(Session.revoked_at).is_(None))
                .order_by(col(Session.created_at).desc())
            ).all()
        return [r for r in rows if now < r.idle_expires_at and now < r.absolute_expires_at]

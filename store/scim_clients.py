"""Provisioning clients and their bearer tokens (``threshold scim-clients add|list|revoke``).

A token is 256 random bits shown once at creation; the database keeps only its keyed hash
(HMAC-SHA256 under a key derived from ``THRESHOLD_SECRET_KEY``), so a leaked table yields no
usable token. Lookup is by that hash, so checking a token costs one indexed query.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.db import session_for
from store.models import utcnow
from store.scim_models import ScimClient

TOKEN_PREFIX = "thr_scim_"


class ClientExists(ValueError):
    """A client with this name already exists."""


@dataclass(frozen=True)
class ClientInfo:
    """A client as listed (never with its token)."""

    id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class ScimClients:
    """Create, check, list and revoke provisioning clients of one deployment."""

    MAX_TOKEN_CHARS = 128
    MAX_NAME_CHARS = 100

    def __init__(self, settings: Settings) -> None:
        self.database_url = settings.database_url
        self.key = settings.derive_key("scim-token")

    def add(self, name: str) -> str:
        """Create a client; returns its token, which is not stored and cannot be shown again."""
        name = name.strip()
        if not name or len(name) > self.MAX_NAME_CHARS:
            raise ValueError(f"the name must be 1 to {self.MAX_NAME_CHARS} characters")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with session_for(self.database_url) as db:
                db.add(ScimClient(id=str(uuid.uuid4()), name=name, token_hash=self._hash(token)))
        except IntegrityError:
            raise ClientExists(f"a client named {name!r} already exists") from None
        return token

    def authenticate(self, token: str) -> str | None:
        """The id of the live client holding ``token``, or ``None``."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > self.MAX_TOKEN_CHARS:
            return None
        with session_for(self.database_url) as db:
            client = db.exec(
                select(ScimClient).where(
                    ScimClient.token_hash == self._hash(token),
                    col(ScimClient.revoked_at).is_(None),
                )
            ).first()
            return client.id if client is not None else None

    def revoke(self, name: str) -> bool:
        """Revoke a client's token at once; False when no live client has that name."""
        with session_for(self.database_url) as db:
            client = db.exec(select(ScimClient).where(ScimClient.name == name)).first()
            if client is None or client.revoked_at is not None:
                return False
            client.revoked_at = utcnow()
            db.add(client)
            return True

    def list(self) -> list[ClientInfo]:
        """Every client, oldest first."""
        with session_for(self.database_url) as db:
            rows = db.exec(select(ScimClient).order_by(col(ScimClient.created_at))).all()
            return [ClientInfo(r.id, r.name, r.created_at, r.revoked_at) for r in rows]

    def _hash(self, token: str) -> str:
        return keyed_hash(self.key, "scim-token", token)

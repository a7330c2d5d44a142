"""The registry of upstream OpenID providers: ``threshold idps add`` writes it, sign-in reads it.

Only the issuer, client id and the client secret are stored; endpoints and keys come from the
issuer's discovery document at sign-in time, so a provider rotating keys or moving endpoints needs
no change here. The secret is sealed with AES-GCM (key derived from ``THRESHOLD_SECRET_KEY``, the
provider's name as associated data): a database dump alone does not reveal it.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import select

from core.settings import Settings
from store.db import session_for
from store.idp_models import UpstreamIdp


class IdpError(ValueError):
    """A provider registration that cannot be accepted."""


@dataclass(frozen=True)
class Idp:
    """A registered provider with its secret opened, for the token request."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    scope: str


class Idps:
    """Add, list and open upstream providers."""

    NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
    #: ``profile`` lets the provider share a name and locale, which spare progressive profiling.
    SCOPE = "openid email profile"
    LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.key = settings.derive_key("idp-client-secrets")

    def add(self, name: str, *, issuer: str, client_id: str, client_secret: str) -> None:
        """Register a provider; the issuer must be https (http only on loopback, for tests)."""
        if not self.NAME.match(name):
            raise IdpError("the name must be lowercase letters, digits and dashes (URL-safe)")
        parts = urlsplit(issuer)
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and parts.hostname in self.LOOPBACK
        )
        if not secure or not parts.hostname or parts.query or parts.fragment:
            raise IdpError("the issuer must be an https URL without query or fragment")
        if not client_id or not client_secret:
            raise IdpError("a client id and a client secret are required")
        with session_for(self.url) as db:
            if db.get(UpstreamIdp, name) is not None:
                raise IdpError(f"a provider named {name!r} already exists")
            db.add(
                UpstreamIdp(
                    name=name,
                    issuer=issuer.rstrip("/"),
                    client_id=client_id,
                    secret_box=self._seal(name, client_secret),
                    scope=self.SCOPE,
                )
            )

    def names(self) -> list[str]:
        """Every provider's name, for the login page's buttons."""
        with session_for(self.url) as db:
            return list(db.exec(select(UpstreamIdp.name).order_by(UpstreamIdp.name)).all())

    def get(self, name: str) -> Idp | None:
        """A provider with its secret opened, or ``None`` when no such provider exists."""
        with session_for(self.url) as db:
            row = db.get(UpstreamIdp, name)
        if row is None:
            return None
        return Idp(
            row.name, row.issuer, row.client_id, self._open(row.name, row.secret_box), row.scope
        )

    def _seal(self, name: str, secret: str) -> str:
        nonce = os.urandom(12)
        box = nonce + AESGCM(self.key).encrypt(nonce, secret.encode(), name.encode())
        return base64.b64encode(box).decode()

    def _open(self, name: str, box: str) -> str:
        raw = base64.b64decode(box)
        return AESGCM(self.key).decrypt(raw[:12], raw[12:], name.encode()).decode()

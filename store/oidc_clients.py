"""Registering OpenID Connect relying parties: validated once here, so the provider can trust rows.

A confidential ``client_secret_basic`` client gets a random secret shown once and stored as a keyed
hash; a ``private_key_jwt`` client registers its public JWKS; a public client (``none``) relies on
PKCE alone. Redirect URIs must be absolute ``https`` URLs (``http`` only on loopback, RFC 8252 §7.3)
without fragments; they are later compared by exact string.

A ``staff_only`` client (an internal tool such as the Temporal UI) signs in staff members, never
customers. It must be confidential, because the provider lets it prove the code's binding with the
OpenID ``nonce`` instead of PKCE (RFC 9700 §2.1.1; the Temporal UI sends no PKCE), and it gets no
refresh tokens (no ``offline_access``): staff tokens end with the staff sign-in behind them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.db import session_for
from store.oidc_models import OAuthClient

AUTH_METHODS = ("none", "client_secret_basic", "private_key_jwt")
#: What a staff-only client may ask for: no ``offline_access``, so no refresh tokens.
STAFF_SCOPE = "openid profile email"
LOOPBACK = ("127.0.0.1", "[::1]", "localhost")


class ClientError(ValueError):
    """The registration is refused; the message says why."""


@dataclass(frozen=True)
class NewClient:
    client_id: str
    client_secret: str | None


def check_redirect_uri(uri: str) -> str:
    """``uri`` if it may be registered, else :class:`ClientError`."""
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        raise ClientError(f"redirect URI {uri!r} must not have a fragment")
    loopback = parts.scheme == "http" and parts.netloc.rsplit(":", 1)[0] in LOOPBACK
    if not parts.netloc or not (parts.scheme == "https" or loopback):
        raise ClientError(f"redirect URI {uri!r} must be https (http only on loopback)")
    return uri


class OidcClients:
    """Add relying parties."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = settings.derive_key("oidc-client-secrets")

    def add(
        self,
        name: str,
        *,
        auth_method: str,
        redirect_uris: list[str],
        post_logout_redirect_uris: list[str] = [],  # noqa: B006 - never mutated
        jwks: str = "",
        staff_only: bool = False,
    ) -> NewClient:
        """Register a client; returns its id and, for ``client_secret_basic``, its secret."""
        if auth_method not in AUTH_METHODS:
            raise ClientError(f"auth method must be one of {', '.join(AUTH_METHODS)}")
        if staff_only and auth_method == "none":
            raise ClientError(
                "a staff-only client must authenticate (client_secret_basic or private_key_jwt)"
            )
        if not redirect_uris:
            raise ClientError("at least one redirect URI is needed")
        uris = [check_redirect_uri(u) for u in [*redirect_uris, *post_logout_redirect_uris]]
        if auth_method == "private_key_jwt":
            try:
                KeySet.import_key_set(json.loads(jwks))
            except (ValueError, JoseError, TypeError) as exc:
                raise ClientError(f"private_key_jwt needs a public JWKS: {exc}") from None
        client_id = secrets.token_urlsafe(16)
        secret = secrets.token_urlsafe(32) if auth_method == "client_secret_basic" else None
        row = OAuthClient(
            client_id=client_id,
            name=name,
            auth_method=auth_method,
            secret_hash=keyed_hash(self.key, "client-secret", client_id, secret) if secret else "",
            jwks=jwks if auth_method == "private_key_jwt" else "",
            redirect_uris="\n".join(uris[: len(redirect_uris)]),
            post_logout_redirect_uris="\n".join(uris[len(redirect_uris) :]),
            staff_only=staff_only,
        )
        if staff_only:
            row.scope = STAFF_SCOPE
        with session_for(self.settings.database_url) as db:
            db.add(row)
        return NewClient(client_id, secret)

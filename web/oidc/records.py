"""The stored rows as Authlib sees them: a client, an authorization code, an issued token.

Each wrapper answers Authlib's questions from one row; secrets are compared as keyed hashes, and
redirect URIs by exact string (ASVS 10.4.1: no prefix, no port or host normalisation).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from joserfc.jwk import KeySet

from core.security.hashing import keyed_hash
from store.models import Customer, utcnow
from store.oidc_models import OAuthClient, OAuthCode, OAuthToken
from store.staff_models import StaffMember

GRANT_TYPES = ("authorization_code", "refresh_token")
#: Who a code or token is about: a customer, or a staff member for a staff-only client.
Subject = Customer | StaffMember


def scopes(value: str) -> list[str]:
    """A space-separated scope string as a list, without empties."""
    return [s for s in value.split(" ") if s]


@dataclass
class Client(ClientMixin):
    """A registered relying party."""

    row: OAuthClient
    secret_key: bytes

    @property
    def client_id(self) -> str:
        return self.row.client_id

    @property
    def client_metadata(self) -> dict[str, str]:
        return {}

    def get_client_id(self) -> str:
        return self.row.client_id

    def redirect_uris(self) -> list[str]:
        return [u for u in self.row.redirect_uris.splitlines() if u]

    def post_logout_redirect_uris(self) -> list[str]:
        return [u for u in self.row.post_logout_redirect_uris.splitlines() if u]

    def get_default_redirect_uri(self) -> str | None:
        uris = self.redirect_uris()
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(scopes(self.row.scope))
        return " ".join(s for s in scopes(scope or "") if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(hmac.compare_digest(redirect_uri, uri) for uri in self.redirect_uris())

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.row.secret_hash:
            return False
        expected = keyed_hash(self.secret_key, "client-secret", self.row.client_id, client_secret)
        return hmac.compare_digest(expected, self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.row.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        """Staff-only clients get no refresh tokens: their tokens end with the sign-in."""
        if grant_type == "refresh_token" and self.staff_only:
            return False
        return grant_type in GRANT_TYPES

    @property
    def staff_only(self) -> bool:
        """Whether this client signs in staff members (never customers)."""
        return self.row.staff_only

    def public_keys(self) -> KeySet:
        """The keys a ``private_key_jwt`` client signs its assertions with."""
        return KeySet.import_key_set(json.loads(self.row.jwks or '{"keys": []}'))


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


@dataclass
class Code(AuthorizationCodeMixin):
    """An unused, unexpired authorization code."""

    row: OAuthCode

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce or None

    def get_auth_time(self) -> int:
        return _epoch(self.row.auth_time)

    def get_acr(self) -> str | None:
        return self.row.acr or None

    def get_amr(self) -> list[str] | None:
        return scopes(self.row.amr) or None


@dataclass
class Token(TokenMixin):
    """An issued access (and refresh) token."""

    row: OAuthToken
    client: Client
    user: Subject

    @property
    def scope(self) -> str:
        return self.row.scope

    def check_client(self, client: Client) -> bool:
        return client.get_client_id() == self.row.client_id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return _epoch(self.row.access_expires_at) - _epoch(self.row.issued_at)

    def is_expired(self) -> bool:
        return utcnow() >= self.row.access_expires_at

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None

    def is_refresh_usable(self) -> bool:
        """Still rotatable: neither rotated nor revoked nor past its lifetime."""
        expires = self.row.refresh_expires_at
        return (
            self.row.rotated_at is None
            and self.row.revoked_at is None
            and expires is not None
            and utcnow() < expires
        )

    def get_user(self) -> Subject:
        return self.user

    def get_client(self) -> Client:
        return self.client

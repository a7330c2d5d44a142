"""The authorization server: Authlib's code and refresh grants, PKCE, OpenID Connect and revocation,
wired to :mod:`web.oidc.store`.

Choices that Authlib leaves open and Threshold makes strict:

* PKCE is required for every client and only ``S256`` is accepted (``plain`` leaks the verifier);
* a code is single-use; presenting it again revokes what it issued;
* refresh tokens rotate; a rotated one presented again revokes its whole family (RFC 9700 §4.14);
* ID tokens are RS256-signed with the key ring's current key and carry ``sid``;
* a ``private_key_jwt`` assertion must carry a ``jti``, expire within 10 minutes, and is accepted
  once;
* a staff-only client (the Temporal UI) signs in staff members, whose ID tokens say so (``staff``,
  ``staff_role``, and Temporal ``permissions`` for a cluster that trusts these tokens); being
  confidential, it may bind its code with the OpenID ``nonce`` instead of PKCE (RFC 9700 §2.1.1),
  since the Temporal UI sends no PKCE. A code for one kind of subject is never issued to a client
  of the other kind.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749.errors import (
    AccessDeniedError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.resource_protector import ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet

from core.settings import Settings
from store.signing_keys import ALG, KeyRing
from store.staff_models import StaffMember
from web.oidc.client_auth import PresentedAuth
from web.oidc.records import Client, Code, Subject, Token
from web.oidc.store import ACCESS_LIFETIME, Grant, ProviderStore, StaffGrant

AUTH_METHODS = ["client_secret_basic", "private_key_jwt", "none"]
SCOPES = ["openid", "profile", "email", "offline_access"]
ID_TOKEN_LIFETIME_SECONDS = 300


#: The Temporal namespace role each staff role gets in the ``permissions`` claim (read only for
#: support; writes such as reset, cancel and terminate for admins).
TEMPORAL_ROLES = {"support": "read", "admin": "write"}


def user_info(user: Subject, scope: str, namespace: str) -> UserInfo:
    """The claims a relying party may see for ``scope``.

    A staff member's say so: ``staff`` and ``staff_role``, and ``permissions`` in the shape of
    Temporal's default claim mapper (``<namespace>:<role>``).
    """
    info = UserInfo(sub=user.id)
    if isinstance(user, StaffMember):
        info["staff"] = True
        info["staff_role"] = user.role
        info["permissions"] = [f"{namespace}:{TEMPORAL_ROLES.get(user.role, 'read')}"]
        if "email" in scope.split():
            info["email"] = user.email
        return info
    if "email" in scope.split():
        info["email"] = user.email
        info["email_verified"] = user.verified_at is not None
    return info


class S256Only(CodeChallenge):
    """PKCE with ``S256`` only; a request without a challenge is refused by the grant."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def get_authorization_code_challenge(self, authorization_code: Code) -> str:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: Code) -> str:
        return authorization_code.row.code_challenge_method


class CodeGrant(AuthorizationCodeGrant):
    """The authorization code grant over hashed, single-use codes."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    server: Provider

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        data = self.request.payload.data
        state = self.request.payload.state
        if not self.request.payload.redirect_uri:
            # OpenID Connect Core §3.1.2.1: REQUIRED. Authlib would fall back to a client's
            # single registered URI and leave the code without one.
            raise InvalidRequestError(
                "redirect_uri is required.", redirect_uri=redirect_uri, state=state
            )
        client: Client = self.request.client
        if not data.get("code_challenge"):
            if client.staff_only and data.get("nonce"):
                # RFC 9700 §2.1.1: a confidential OpenID client may rely on the nonce instead.
                return redirect_uri
            raise InvalidRequestError(
                "PKCE is required: send code_challenge with code_challenge_method=S256"
                + (" (or a nonce)." if client.staff_only else "."),
                redirect_uri=redirect_uri,
                state=state,
            )
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "Only code_challenge_method=S256 is accepted.",
                redirect_uri=redirect_uri,
                state=state,
            )
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        grant: Grant | StaffGrant = request.user
        client: Client = request.client
        if isinstance(grant, StaffGrant) != client.staff_only:
            # The routes never mix them; this keeps a customer's code from a staff client (and a
            # staff member's from a customer client) whatever a future route does.
            raise AccessDeniedError(
                "This application is for staff only."
                if client.staff_only
                else "Staff accounts cannot sign in to this application.",
                redirect_uri=request.payload.redirect_uri,
                state=request.payload.state,
            )
        self.server.store.save_code(
            code,
            request.client.get_client_id(),
            grant,
            request.payload.redirect_uri,
            dict(request.payload.data),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        row = self.server.store.find_code(code, client.get_client_id())
        return Code(row) if row else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        if not self.server.store.spend_code(authorization_code.row):
            self.server.store.revoke_family(authorization_code.row.family)
            raise InvalidGrantError("This authorization code was already used.")

    def authenticate_user(self, authorization_code: Code) -> Subject | None:
        return self.server.store.subject(authorization_code.row)


class RefreshGrant(RefreshTokenGrant):
    """Refresh with rotation; a replayed refresh token revokes its family."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: Provider

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        token = self.server.store.by_refresh(refresh_token)
        if token is None:
            return None
        if not token.is_refresh_usable():
            self.server.store.revoke_family(token.row.family)
            return None
        return token

    def authenticate_user(self, refresh_token: Token) -> Subject:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: Token) -> None:
        if not self.server.store.rotate(refresh_token.row):
            self.server.store.revoke_family(refresh_token.row.family)
            raise InvalidGrantError("This refresh token was already used.")


class IdToken(OpenIDCode):
    """ID tokens signed by the key ring, with ``sid`` and the session's ``acr``/``amr``.

    They live :data:`ID_TOKEN_LIFETIME_SECONDS`: an ID token is read once, at sign-in, by the
    relying party (which keeps its own session); a short life bounds the replay of a leaked one.
    """

    DEFAULT_EXPIRES_IN = ID_TOKEN_LIFETIME_SECONDS

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False

    def resolve_client_private_key(self, client: Client) -> dict[str, Any]:
        return self.provider.keys.signing_key()

    def get_client_algorithm(self, client: Client) -> str:
        return ALG

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": ALG, "kid": self.provider.keys.signing_key()["kid"]}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        claims["sid"] = authorization_code.row.sid
        return claims

    def generate_user_info(self, user: Subject, scope: str) -> UserInfo:
        return user_info(user, scope, self.provider.namespace)


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking either token of a pair revokes its family."""

    CLIENT_AUTH_METHODS = AUTH_METHODS
    server: Provider

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        store = self.server.store
        if token_type_hint == "access_token":
            return store.by_access(token_string)
        return store.by_refresh(token_string) or store.by_access(token_string)

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        self.server.store.revoke_family(token.row.family)


class PrivateKeyJwt(JWTBearerClientAssertion):
    """``private_key_jwt`` client authentication against the client's registered JWKS; each
    assertion is accepted once (RFC 7523 §3 item 7)."""

    CLIENT_AUTH_METHOD = "private_key_jwt"
    #: Longest ``jti`` accepted.
    MAX_JTI_LENGTH = 256
    #: How far ahead an assertion's ``exp`` may be: bounds how long its ``jti`` is remembered.
    MAX_LIFETIME_SECONDS = 600

    def __init__(self, token_url: str, store: ProviderStore) -> None:
        super().__init__(validate_jti=True)
        self.token_url = token_url
        self.store = store

    def get_audiences(self) -> list[str]:
        """The token endpoint is the assertion's audience (RFC 7523 §3)."""
        return [self.token_url]

    def resolve_client_public_key(self, client: Client) -> KeySet:
        """The client's registered keys; ``invalid_client`` for a client that registered none
        (Authlib resolves them before checking the client's method)."""
        keys = client.public_keys() if client.row.auth_method == self.CLIENT_AUTH_METHOD else None
        if keys is None or not keys.keys:
            raise InvalidClientError(description="This client does not use private_key_jwt.")
        return keys

    def validate_jti(self, claims: dict[str, Any], jti: object) -> bool:
        """Spend the assertion's ``jti``; ``False`` (answered ``invalid_client``) if this client
        presented it before. Authlib calls this once the signature, ``aud``, ``exp`` and
        ``iss == sub`` are verified (and refuses an assertion without ``jti`` itself), so only
        the client can spend its own ``jti`` values."""
        if not isinstance(jti, str) or not jti or len(jti) > self.MAX_JTI_LENGTH:
            raise InvalidClientError(
                description=f"'jti' must be a string of 1 to {self.MAX_JTI_LENGTH} characters."
            )
        exp = claims["exp"]
        if exp > time.time() + self.MAX_LIFETIME_SECONDS:
            raise InvalidClientError(
                description=f"'exp' is more than {self.MAX_LIFETIME_SECONDS} seconds away."
            )
        # Authlib accepts the assertion until exp + leeway: remember its jti that long.
        keep_until = datetime.fromtimestamp(math.ceil(exp) + self.leeway, UTC)
        return self.store.spend_assertion(claims["sub"], jti, keep_until)


class AccessTokens(BearerTokenValidator):
    """Bearer access tokens for the userinfo endpoint."""

    def __init__(self, store: ProviderStore) -> None:
        super().__init__()
        self.store = store

    def authenticate_token(self, token_string: str) -> Token | None:
        return self.store.by_access(token_string)


class Provider(AuthorizationServer):
    """One per app: the store, the key ring and the registered grants and endpoints."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(scopes_supported=SCOPES)
        # Authlib logs every issued token dict ("Issue token %r") at DEBUG: keep that level off,
        # whatever the deployment's log level, so tokens never reach the logs.
        logging.getLogger("authlib").setLevel(logging.INFO)
        self.issuer = settings.base_url.rstrip("/")
        self.namespace = settings.temporal_namespace
        self.store = ProviderStore(settings)
        self.keys = KeyRing(settings)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: secrets.token_urlsafe(32),
                refresh_token_generator=lambda **_: secrets.token_urlsafe(48),
                expires_generator=lambda *_: int(ACCESS_LIFETIME.total_seconds()),
            ),
        )
        self.register_grant(CodeGrant, [S256Only(required=True), IdToken(self)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_client_auth_method(
            PrivateKeyJwt.CLIENT_AUTH_METHOD,
            PrivateKeyJwt(f"{self.issuer}/oauth2/token", self.store),
        )
        self.resources = ResourceProtector()
        self.resources.register_token_validator(AccessTokens(self.store))

    def query_client(self, client_id: str) -> Client | None:
        return self.store.client(client_id)

    def authenticate_client(
        self, request: OAuth2Request, methods: list[str], endpoint: str = "token"
    ) -> Client:
        """Authlib authenticates with the ONE method the request presents (RFC 6749 §2.3), never
        falling through to another: a wrong secret, two methods at once, or a body ``client_id``
        naming another client is ``invalid_client``."""
        presented = PresentedAuth()
        method = presented.method(request)
        if method not in methods:
            raise InvalidClientError(
                status_code=401 if method == "client_secret_basic" else 400,
                description=f"Client authentication {method} is not accepted here.",
            )
        try:
            client: Client = super().authenticate_client(request, [method], endpoint)
        except InvalidClientError as err:
            if method == "none" and "client_secret_basic" in methods:
                # A confidential client that sent no credentials is asked for them (RFC 7235).
                raise InvalidClientError(status_code=401, description=err.description) from None
            raise
        presented.check_body_client_id(request, method, client.get_client_id())
        return client

    def save_token(self, token: dict[str, str], request: OAuth2Request) -> None:
        origin = request.authorization_code or request.refresh_token
        self.store.save_token(token, request.client.get_client_id(), origin.row)

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        """Routes build the request themselves (:mod:`web.oidc.starlette`)."""
        return request

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib's hooks for framework signals; Threshold needs none."""

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, headers

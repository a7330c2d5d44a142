"""The relying-party ceremony against an upstream OpenID provider, one check after another.

Authlib's HTTPX client builds the authorization URL (PKCE S256, state, nonce) and exchanges the
code; joserfc verifies the ID token against the provider's JWKS. Discovery is fetched at every
sign-in, and the document's ``issuer`` must be the registered one (OpenID Connect Discovery §4.3),
so a provider answering for someone else's issuer is refused before anything is sent to it.
Where the provider advertises ``authorization_response_iss_parameter_supported`` (RFC 9207), the
callback's ``iss`` must name it, so an answer meant for another provider (a mix-up attack) is
refused before its code is sent anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from journeys.profiling_plan import LANGUAGES
from store.idps import Idp

#: Longest display name progressive profiling accepts (``AboutYou.display_name``).
MAX_DISPLAY_NAME = 60


class FederationError(Exception):
    """A sign-in the upstream provider did not prove; ``code`` is short, the message human."""

    code = "federation_failed"


class DiscoveryError(FederationError):
    code = "discovery_failed"


class TokenError(FederationError):
    code = "token_exchange_failed"


class IdTokenError(FederationError):
    code = "invalid_id_token"


class MixUpError(FederationError):
    code = "issuer_mismatch"


@dataclass(frozen=True)
class Metadata:
    """The parts of a provider's discovery document this ceremony uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    #: RFC 9207: the provider names itself in every authorization response (``iss``).
    iss_parameter_supported: bool = False


@dataclass(frozen=True)
class UpstreamIdentity:
    """Who the provider says signed in, and the profile fields it shared (:func:`profile_of`)."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    profile: dict[str, str] = field(default_factory=dict)


class Ceremony:
    """Authorization request and callback for one registered provider."""

    TIMEOUT_SECONDS = 10.0
    ALGORITHMS = ("RS256", "PS256", "ES256")
    LEEWAY_SECONDS = 60

    def __init__(self, idp: Idp, redirect_uri: str) -> None:
        self.idp = idp
        self.redirect_uri = redirect_uri

    async def discover(self) -> Metadata:
        """The provider's endpoints, refused unless its document names the registered issuer."""
        url = f"{self.idp.issuer}/.well-known/openid-configuration"
        try:
            async with httpx.AsyncClient(timeout=self.TIMEOUT_SECONDS) as http:
                answer = await http.get(url)
                answer.raise_for_status()
                doc: dict[str, Any] = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DiscoveryError(
                f"the provider's discovery document is unavailable ({exc})"
            ) from exc
        if doc.get("issuer") != self.idp.issuer:
            raise DiscoveryError("the provider's discovery document names a different issuer")
        try:
            return Metadata(
                issuer=doc["issuer"],
                authorization_endpoint=str(doc["authorization_endpoint"]),
                token_endpoint=str(doc["token_endpoint"]),
                jwks_uri=str(doc["jwks_uri"]),
                iss_parameter_supported=doc.get("authorization_response_iss_parameter_supported")
                is True,
            )
        except KeyError as exc:
            raise DiscoveryError(f"the discovery document lacks {exc}") from exc

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.idp.client_id,
            client_secret=self.idp.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            scope=self.idp.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=self.TIMEOUT_SECONDS,
        )

    async def authorization_url(
        self, *, state: str, nonce: str, verifier: str, login_hint: str = ""
    ) -> str:
        """Where to send the browser: code flow with PKCE S256, ``state`` and ``nonce``.

        ``login_hint`` (OpenID Connect Core §3.1.2.1), when given, is the email the customer
        already typed, so the provider need not ask for it again.
        """
        metadata = await self.discover()
        extra = {"login_hint": login_hint} if login_hint else {}
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                metadata.authorization_endpoint,
                state=state,
                code_verifier=verifier,
                nonce=nonce,
                **extra,
            )
        return str(url)

    async def finish(
        self, *, code: str, verifier: str, expected_nonce: str, response_issuer: str | None
    ) -> UpstreamIdentity:
        """Check who answered (RFC 9207), exchange the code (with the PKCE verifier) and verify
        the ID token it returns. ``response_issuer`` is the callback's ``iss`` (None: absent)."""
        metadata = await self.discover()
        check_response_issuer(metadata, response_issuer)
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    metadata.token_endpoint, code=code, code_verifier=verifier
                )
                jwks = (await client.get(metadata.jwks_uri)).json()
        except Exception as exc:  # Authlib raises its own OAuthError, httpx its HTTPError
            raise TokenError(f"the provider refused the code exchange ({exc})") from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise TokenError("the provider returned no ID token")
        return verify_id_token(
            id_token,
            jwks,
            expected_issuer=metadata.issuer,
            expected_audience=self.idp.client_id,
            expected_nonce=expected_nonce,
        )


def check_response_issuer(metadata: Metadata, response_issuer: str | None) -> None:
    """RFC 9207 §2.4: an ``iss`` must be the provider's; a provider that promises it must send it.

    A provider that does not advertise the parameter may still send it, and then it is checked
    too; only its absence is tolerated there.
    """
    if response_issuer is None:
        if metadata.iss_parameter_supported:
            raise MixUpError("the provider's answer does not say who sent it (iss is missing)")
        return
    if response_issuer != metadata.issuer:
        raise MixUpError("the answer came from another issuer than the one asked (iss)")


def verify_id_token(
    id_token: str,
    jwks: dict[str, Any],
    *,
    expected_issuer: str,
    expected_audience: str,
    expected_nonce: str,
) -> UpstreamIdentity:
    """Signature (a key of the provider's JWKS), ``iss``, ``aud``, ``exp``, ``nonce``, ``sub``."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        token = jwt.decode(id_token, keys, algorithms=list(Ceremony.ALGORITHMS))
    except (JoseError, ValueError, TypeError) as exc:
        raise IdTokenError(f"the ID token's signature does not verify ({exc})") from exc
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=Ceremony.LEEWAY_SECONDS,
        iss={"essential": True, "value": expected_issuer},
        aud={"essential": True, "value": expected_audience},
        nonce={"essential": True, "value": expected_nonce},
        sub={"essential": True},
        exp={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise IdTokenError(f"the ID token is not for this sign-in ({exc})") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != expected_audience:
        raise IdTokenError("the ID token names several audiences and not us as its azp")
    return UpstreamIdentity(
        issuer=expected_issuer,
        subject=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") is True,
        profile=profile_of(claims),
    )


def profile_of(claims: dict[str, Any]) -> dict[str, str]:
    """Profile fields the ID token's standard claims answer, in progressive profiling's terms.

    ``name`` (or ``given_name`` + ``family_name``) becomes ``display_name`` and ``locale`` becomes
    ``language`` when it is one we offer; anything else is left for progressive profiling to ask.
    """
    profile: dict[str, str] = {}
    given = " ".join(
        str(claims[part]).strip()
        for part in ("given_name", "family_name")
        if isinstance(claims.get(part), str)
    )
    name = claims.get("name")
    display = (name.strip() if isinstance(name, str) else "") or given.strip()
    if display:
        profile["display_name"] = display[:MAX_DISPLAY_NAME]
    locale = claims.get("locale")
    if isinstance(locale, str):
        language = locale.replace("_", "-").split("-")[0].lower()
        if language in LANGUAGES:
            profile["language"] = language
    return profile

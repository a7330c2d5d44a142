"""``private_key_jwt`` client authentication (RFC 7523): only the registered key opens the door."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from core.settings import Settings
from store.models import utcnow
from store.oidc_clients import ClientError, NewClient, OidcClients
from store.oidc_models import ClientAssertion
from tests.oidc.flow import code_for, exchange, pkce
from tests.oidc.support import Provider
from tests.support.store import one, rows, update
from web.oidc.provider import PrivateKeyJwt
from web.oidc.store import ProviderStore

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def assertion(key: RSAKey, client_id: str, audience: str, **changes: Any) -> str:
    """A client assertion with a fresh ``jti``; ``changes`` override claims (``None`` drops one)."""
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
        **changes,
    }
    present = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, present, key)


def partner(op: Provider) -> tuple[RSAKey, NewClient]:
    """A ``private_key_jwt`` client and the private key of its registered JWKS."""
    key = RSAKey.generate_key(2048, parameters={"kid": "partner-1"}, auto_kid=False)
    public = json.dumps({"keys": [key.as_dict(private=False)]})
    return key, op.add_client("private_key_jwt", jwks=public)


async def token_with(op: Provider, body: dict[str, str], signed: str) -> httpx.Response:
    return await op.token(
        {**body, "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed}
    )


def assert_refused(answer: httpx.Response) -> None:
    # RFC 6749 §5.2: 401 only when the client used the Authorization header; an assertion is in
    # the body, so 400.
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_client"


async def test_assertion_signed_by_the_registered_key_only(op: Provider) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "partner-1"}, auto_kid=False)
    public = json.dumps({"keys": [key.as_dict(private=False)]})
    client = op.add_client("private_key_jwt", jwks=public)
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    body = exchange(client.client_id, op.redirect_uri, code, verifier)
    token_url = f"{op.issuer}/oauth2/token"
    stranger = RSAKey.generate_key(2048, parameters={"kid": "partner-1"}, auto_kid=False)
    for wrong in (
        assertion(stranger, client.client_id, token_url),
        assertion(key, client.client_id, f"{op.issuer}/elsewhere"),
    ):
        refused = await op.token(
            {**body, "client_assertion_type": ASSERTION_TYPE, "client_assertion": wrong}
        )
        # RFC 6749 §5.2: 401 only when the client used the Authorization header.
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_client"
    accepted = await op.token(
        {
            **body,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion(key, client.client_id, token_url),
        }
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["id_token"]


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("http://shop.example/cb", "https"),
        ("https://shop.example/cb#frag", "fragment"),
        ("/cb", "https"),
    ],
)
def test_registration_refuses_unsafe_redirect_uris(op: Provider, uri: str, why: str) -> None:
    with pytest.raises(ClientError, match=why):
        op.add_client(redirect_uri=uri)


def test_private_key_jwt_registration_needs_a_jwks(op: Provider) -> None:
    with pytest.raises(ClientError, match="JWKS"):
        op.add_client("private_key_jwt", jwks="not json")


async def test_an_assertion_is_accepted_once(op: Provider) -> None:
    key, client = partner(op)
    token_url = f"{op.issuer}/oauth2/token"
    signed = assertion(key, client.client_id, token_url)
    bodies = []
    async with op.browser() as browser:
        for _ in range(2):
            verifier, challenge = pkce()
            code = await code_for(op, browser, client.client_id, challenge)
            bodies.append(exchange(client.client_id, op.redirect_uri, code, verifier))
    first = await token_with(op, bodies[0], signed)
    assert first.status_code == 200, first.text
    # Still within its lifetime and correctly signed, but its jti is spent.
    assert_refused(await token_with(op, bodies[1], signed))
    again = await token_with(op, bodies[1], assertion(key, client.client_id, token_url))
    assert again.status_code == 200, again.text


async def test_assertions_without_jti_or_expiring_late_are_refused(op: Provider) -> None:
    key, client = partner(op)
    token_url = f"{op.issuer}/oauth2/token"
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    body = exchange(client.client_id, op.redirect_uri, code, verifier)
    now = int(time.time())
    for changes in (
        {"jti": None},
        {"jti": ""},
        {"jti": 42},
        {"jti": "j" * (PrivateKeyJwt.MAX_JTI_LENGTH + 1)},
        {"exp": now + PrivateKeyJwt.MAX_LIFETIME_SECONDS + 120},
        {"exp": now + 365 * 24 * 3600},
    ):
        assert_refused(
            await token_with(op, body, assertion(key, client.client_id, token_url, **changes))
        )
    # The code was never spent: client authentication failed before the grant looked at it.
    accepted = await token_with(
        op, body, assertion(key, client.client_id, token_url, exp=now + 9 * 60)
    )
    assert accepted.status_code == 200, accepted.text


def test_a_jti_is_remembered_while_its_assertion_is_acceptable(db_settings: Settings) -> None:
    """Authlib accepts an assertion up to ``leeway`` seconds after its ``exp``: its jti must not be
    purged before then, or the assertion could be replayed in that window. Once past, it goes."""
    store = ProviderStore(db_settings)
    client_id = (
        OidcClients(db_settings)
        .add("Partner", auth_method="none", redirect_uris=["http://127.0.0.1:28999/cb"])
        .client_id
    )
    method = PrivateKeyJwt("https://op.example/oauth2/token", store)
    now = int(time.time())
    late = {"sub": client_id, "exp": now - method.leeway // 2}  # expired, within the leeway
    assert method.validate_jti(late, "late")
    assert method.validate_jti({"sub": client_id, "exp": now + 60}, "next")  # purges what is past
    assert not method.validate_jti(late, "late")
    row = one(db_settings, ClientAssertion, jti_hash=store.hash("client-assertion", "late"))
    assert row.expires_at == datetime.fromtimestamp(late["exp"] + method.leeway, UTC)
    update(db_settings, row, expires_at=utcnow() - timedelta(seconds=1))
    assert method.validate_jti({"sub": client_id, "exp": now + 60}, "last")
    kept = {r.jti_hash for r in rows(db_settings, ClientAssertion, client_id=client_id)}
    assert kept == {store.hash("client-assertion", jti) for jti in ("next", "last")}

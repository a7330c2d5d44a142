"""``private_key_jwt`` client authentication (RFC 7523): only the registered key opens the door."""

from __future__ import annotations

import json
import secrets
import time

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.oidc.flow import code_for, exchange, pkce
from tests.oidc.support import Provider
from workers.store.oidc_clients import ClientError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def assertion(key: RSAKey, client_id: str, audience: str) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


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

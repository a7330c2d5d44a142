"""The upstream ID token checks, one by one, on tokens signed here (a real peer cannot be made
to sign a wrong nonce or audience)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from web.federation import IdTokenError, verify_id_token

ISSUER = "https://idp.example"
AUDIENCE = "threshold"
NONCE = "n-expected"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
JWKS: dict[str, Any] = dict(KeySet([KEY]).as_dict(private=False))


def _token(key: RSAKey = KEY, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "nonce": NONCE,
        "iat": now,
        "exp": now + 300,
        "email": "alice@example.com",
        "email_verified": True,
        **changes,
    }
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _verify(token: str) -> object:
    return verify_id_token(
        token,
        JWKS,
        expected_issuer=ISSUER,
        expected_audience=AUDIENCE,
        expected_nonce=NONCE,
    )


def test_a_good_token_names_the_identity() -> None:
    identity = verify_id_token(
        _token(), JWKS, expected_issuer=ISSUER, expected_audience=AUDIENCE, expected_nonce=NONCE
    )
    assert (identity.subject, identity.email, identity.email_verified) == (
        "alice",
        "alice@example.com",
        True,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": "n-other"},
        {"iss": "https://evil.example"},
        {"aud": "someone-else"},
        {"aud": [AUDIENCE, "someone-else"]},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["nonce", "issuer", "audience", "several-audiences-without-azp", "expired"],
)
def test_a_token_for_another_sign_in_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(IdTokenError):
        _verify(_token(**changes))


def test_a_token_signed_by_another_key_is_refused() -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(IdTokenError, match="signature"):
        _verify(_token(key=other))


def test_a_missing_nonce_is_refused() -> None:
    token = _token()
    claims = jwt.decode(token, KEY).claims
    del claims["nonce"]
    with pytest.raises(IdTokenError):
        _verify(jwt.encode({"alg": "RS256", "kid": "k1"}, claims, KEY))

"""Token-endpoint client authentication presents exactly one method, and a wrong one never falls
through to another (issue 15, finding 9); ID tokens live the documented 5 minutes (finding 11)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt

from tests.oidc.flow import code_for, exchange, pkce
from tests.oidc.support import Provider
from tests.oidc.test_private_key_jwt import ASSERTION_TYPE, assertion, partner
from tests.oidc.test_secrets_keys_logout import jwks
from web.oidc.provider import ID_TOKEN_LIFETIME_SECONDS

DOCS = Path(__file__).parents[2] / "docs" / "oidc.md"


def refused(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == "invalid_client", answer.text


async def test_conflicting_or_wrong_client_authentication_is_invalid_client(
    op: Provider,
) -> None:
    public = op.add_client()
    confidential = op.add_client("client_secret_basic")
    assert confidential.client_secret
    key, signer = partner(op)
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, public.client_id, challenge)
    body = exchange(public.client_id, op.redirect_uri, code, verifier)
    audience = f"{op.issuer}/oauth2/token"
    garbage: list[tuple[dict[str, Any], dict[str, str], int]] = [
        # A wrong secret for the confidential client with the public client's id in the body.
        ({"auth": (confidential.client_id, "wrong")}, {}, 401),
        # The RIGHT secret of another client than the body's client_id.
        ({"auth": (confidential.client_id, confidential.client_secret)}, {}, 401),
        ({"headers": {"Authorization": "Basic //46/w=="}}, {}, 401),
        ({"headers": {"Authorization": "Basic not-base64!"}}, {}, 401),
        ({"headers": {"Authorization": "Basic Og=="}}, {}, 401),  # ":" alone
        ({"headers": {"Authorization": "Bearer abc"}}, {}, 401),
        ({}, {"client_secret": "anything"}, 400),  # client_secret_post is not offered
        # Two methods at once: Basic and an assertion.
        (
            {"auth": (confidential.client_id, confidential.client_secret)},
            {"client_assertion_type": ASSERTION_TYPE, "client_assertion": "x.y.z"},
            401,
        ),
        # An assertion naming a client that registered no keys (the public one).
        (
            {},
            {
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion(key, public.client_id, audience),
            },
            400,
        ),
        # A valid assertion of another client than the body's client_id.
        (
            {},
            {
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion(key, signer.client_id, audience),
            },
            400,
        ),
    ]
    for kwargs, extra, status in garbage:
        refused(await op.token({**body, **extra}, **kwargs), status)
    # None of it spent the code: the public client alone still redeems it.
    answer = await op.token(body)
    assert answer.status_code == 200, answer.text


async def test_no_client_authentication_at_all_is_invalid_client(op: Provider) -> None:
    refused(await op.token({"grant_type": "authorization_code", "code": "x"}), 400)


async def test_revocation_refuses_conflicting_client_authentication(op: Provider) -> None:
    public = op.add_client()
    confidential = op.add_client("client_secret_basic")
    answer = await op.token(
        {"token": "whatever", "client_id": public.client_id},
        auth=(confidential.client_id, "wrong"),
    )
    assert answer.status_code in (400, 401)
    async with httpx.AsyncClient(base_url=op.issuer) as http:
        revoke = await http.post(
            "/oauth2/revoke",
            data={"token": "whatever", "client_id": public.client_id},
            auth=(confidential.client_id, "wrong"),
        )
    refused(revoke, 401)


@pytest.mark.parametrize("method", ["none", "client_secret_basic"])
async def test_id_token_lives_the_documented_five_minutes(op: Provider, method: str) -> None:
    client = op.add_client(method)
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    auth = (client.client_id, client.client_secret) if client.client_secret else None
    answer = await op.token(
        exchange(client.client_id, op.redirect_uri, code, verifier),
        **({"auth": auth} if auth else {}),
    )
    claims = jwt.decode(answer.json()["id_token"], await jwks(op)).claims
    assert claims["exp"] - claims["iat"] == ID_TOKEN_LIFETIME_SECONDS == 300
    documented = re.search(r"`exp` \((\d+) min\)", DOCS.read_text())
    assert documented and int(documented.group(1)) * 60 == ID_TOKEN_LIFETIME_SECONDS

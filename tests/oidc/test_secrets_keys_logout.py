"""Codes, tokens, client secrets and signing keys never rest in the clear; keys rotate with overlap;
RP-initiated logout signs the browser out and revokes what its session issued."""

from __future__ import annotations

import json
import logging

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from store.signing_keys import KeyRing
from tests.oidc.flow import authorize_url, code_for, exchange, pkce, tokens_for
from tests.oidc.support import Provider, query_of, re_fields
from tests.web.test_secrets import occurs, table_texts


async def test_no_code_token_secret_or_private_key_in_tables_or_logs(
    op: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = op.add_client("client_secret_basic")
    assert client.client_secret
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    answer = await op.token(
        exchange(client.client_id, op.redirect_uri, code, verifier),
        auth=(client.client_id, client.client_secret),
    )
    tokens = answer.json()
    private = KeyRing(op.settings).signing_key()
    secrets = {
        "code": code,
        "access token": tokens["access_token"],
        "refresh token": tokens["refresh_token"],
        "client secret": client.client_secret,
        "signing key d": private["d"],
        "signing key p": private["p"],
    }
    tables = table_texts(op.settings)
    # The test's own HTTP client (httpx, httpcore) logs what it receives; the server's logs count.
    logs = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    for name, value in secrets.items():
        assert not occurs(value, tables), f"{name} rests in the clear in the database"
        assert not occurs(value, logs), f"{name} was logged"


async def test_key_rotation_keeps_the_old_key_published_during_the_overlap(op: Provider) -> None:
    client = op.add_client()
    async with op.browser() as browser:
        _, before = await tokens_for(op, browser, client.client_id)
        old_kid = jwt.decode(before["id_token"], await jwks(op)).header["kid"]
        KeyRing(op.settings).rotate()
        _, after = await tokens_for(op, browser, client.client_id)
    published = await jwks(op)
    new_kid = jwt.decode(after["id_token"], published).header["kid"]
    assert new_kid != old_kid
    assert {k.kid for k in published} == {old_kid, new_kid}
    assert jwt.decode(before["id_token"], published).claims["sub"] == op.customer_id
    # A rotation with no overlap retires the previous key from the set at once.
    from datetime import timedelta

    KeyRing(op.settings).rotate(overlap=timedelta(0))
    assert new_kid not in {k.kid for k in await jwks(op)}


async def jwks(op: Provider) -> KeySet:
    async with op.browser() as browser:
        page = await browser.get("/oauth2/jwks")
    data = json.loads(page.html)
    assert all("d" not in key for key in data["keys"])
    return KeySet.import_key_set(data)


async def test_logout_with_id_token_hint_signs_out_and_revokes_tokens(op: Provider) -> None:
    back = "http://127.0.0.1:28999/signed-out"
    client = op.add_client(post_logout_redirect_uris=[back])
    async with op.browser() as browser:
        _, tokens = await tokens_for(op, browser, client.client_id)
        page = await browser.get(
            "/oauth2/logout?id_token_hint="
            + tokens["id_token"]
            + "&post_logout_redirect_uri="
            + back
            + "&state=bye"
        )
        assert page.status == 302
        assert page.response.headers["location"] == back + "?state=bye"
        assert (await browser.get("/account")).status == 303  # signed out
        info = await browser.get(
            "/oauth2/userinfo", headers={"authorization": f"Bearer {tokens['access_token']}"}
        )
        assert info.status == 401
        refresh = await op.token(
            {
                "grant_type": "refresh_token",
                "client_id": client.client_id,
                "refresh_token": tokens["refresh_token"],
            }
        )
        assert refresh.json()["error"] == "invalid_grant"


async def test_logout_without_hint_asks_first_and_unregistered_return_is_not_followed(
    op: Provider,
) -> None:
    client = op.add_client()
    async with op.browser() as browser:
        await tokens_for(op, browser, client.client_id)
        url = f"/oauth2/logout?client_id={client.client_id}&post_logout_redirect_uri=https://evil.example/"
        page = await browser.get(url)
        assert page.status == 200 and page.screen == "oidc-logout"
        assert (await browser.get("/account")).status == 200  # a GET alone signs nobody out
        done = await browser.post("/oauth2/logout", dict(re_fields(page.html)))
        assert done.status == 200 and "You are signed out" in done.html
        assert (await browser.get("/account")).status == 303


async def test_max_age_and_prompt_login_send_the_browser_through_login_again(op: Provider) -> None:
    client = op.add_client()
    _, challenge = pkce()
    async with op.browser() as browser:
        await code_for(op, browser, client.client_id, challenge)
        for extra in ({"prompt": "login"}, {"max_age": "0"}):
            url = authorize_url(
                client.client_id,
                op.redirect_uri,
                code_challenge=challenge,
                code_challenge_method="S256",
                **extra,
            )
            page = await browser.get(url)
            assert page.status == 303 and page.response.headers["location"].startswith("/login?")
            # After signing in again, the code comes back without a loop.
            code = await code_for(op, browser, client.client_id, challenge, **extra)
            assert code
        # prompt=none with a fresh enough session and remembered consent answers a code at once.
        page = await browser.get(
            authorize_url(
                client.client_id,
                op.redirect_uri,
                code_challenge=challenge,
                code_challenge_method="S256",
                prompt="none",
                max_age="3600",
            )
        )
        assert page.status == 302 and "code" in query_of(page)

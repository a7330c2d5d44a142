"""What the provider refuses and how it says so (RFC 6749 §4.1.2.1, §5.2; OIDC Core §3.1.2.6)."""

from __future__ import annotations

import pytest

from tests.oidc.flow import authorize_url, code_for, exchange, pkce
from tests.oidc.support import Provider, query_of, re_fields, sign_in_and_authorize


@pytest.mark.parametrize(
    "sent",
    [
        "http://127.0.0.1:28999/callback/../admin",  # extra path
        "http://127.0.0.1:28999/callback/extra",  # registered one is a prefix
        "http://127.0.0.1:28999/call",  # a prefix of the registered one
        "http://127.0.0.1:28998/callback",  # different port
        "http://localhost:28999/callback",  # localhost is not 127.0.0.1 (CVE-2023-6291)
        "http://127.0.0.1:28999/callback?x=1",  # extra query
        "http://127.0.0.1:28999/Callback",  # case
    ],
)
async def test_redirect_uri_must_match_exactly_and_errors_stay_on_our_page(
    op: Provider, sent: str
) -> None:
    client = op.add_client()
    _, challenge = pkce()
    async with op.browser() as browser:
        page = await browser.get(
            authorize_url(
                client.client_id, sent, code_challenge=challenge, code_challenge_method="S256"
            )
        )
    assert page.status == 400
    assert "location" not in page.response.headers
    assert "Redirect URI" in page.html and "is not supported by client" in page.html


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "PKCE is required"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "code_challenge_method"),
        ({"code_challenge": "x" * 43}, "S256"),
    ],
)
async def test_pkce_s256_is_required(op: Provider, extra: dict[str, str], message: str) -> None:
    client = op.add_client()
    async with op.browser() as browser:
        page = await browser.get(authorize_url(client.client_id, op.redirect_uri, **extra))
    assert page.status == 303
    answer = query_of(page)
    assert answer["error"] == "invalid_request"
    assert message in answer["error_description"]
    assert answer["state"] == "s-123"


async def test_wrong_verifier_then_code_reuse_revokes_what_the_code_issued(op: Provider) -> None:
    client = op.add_client()
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    wrong = await op.token(exchange(client.client_id, op.redirect_uri, code, pkce()[0]))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The failed verifier spent nothing: the code was not marked used before the PKCE check.
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    first = await op.token(exchange(client.client_id, op.redirect_uri, code, verifier))
    assert first.status_code == 200, first.text
    again = await op.token(exchange(client.client_id, op.redirect_uri, code, verifier))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    async with op.browser() as browser:
        info = await browser.get(
            "/oauth2/userinfo",
            headers={"authorization": f"Bearer {first.json()['access_token']}"},
        )
    assert info.status == 401


async def test_missing_verifier_refused(op: Provider) -> None:
    client = op.add_client()
    _, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    data = exchange(client.client_id, op.redirect_uri, code, "")
    del data["code_verifier"]
    answer = await op.token(data)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


async def test_refresh_token_reuse_revokes_the_family(op: Provider) -> None:
    client = op.add_client()
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    tokens = (await op.token(exchange(client.client_id, op.redirect_uri, code, verifier))).json()
    refresh = {"grant_type": "refresh_token", "client_id": client.client_id}
    rotated = await op.token({**refresh, "refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    replayed = await op.token({**refresh, "refresh_token": tokens["refresh_token"]})
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
    # The thief's replay also ends the legitimate holder's newer token.
    newer = await op.token({**refresh, "refresh_token": rotated.json()["refresh_token"]})
    assert newer.status_code == 400 and newer.json()["error"] == "invalid_grant"


async def test_nonce_mismatch_is_caught_by_the_relying_party(op: Provider) -> None:
    client = op.add_client()
    started = await op.rp("start", client)
    async with op.browser() as browser:
        callback = await sign_in_and_authorize(browser, started["url"], op.email)
    done = await op.rp(
        "finish",
        client,
        callback=callback.response.headers["location"],
        verifier=started["verifier"],
        state=started["state"],
        nonce="not-the-nonce-we-sent",
    )
    assert done.get("error") == "OAUTH_JWT_CLAIM_COMPARISON_FAILED", done


async def test_prompt_none_answers_login_required_then_consent_required(op: Provider) -> None:
    client = op.add_client()
    _, challenge = pkce()
    url = authorize_url(
        client.client_id,
        op.redirect_uri,
        code_challenge=challenge,
        code_challenge_method="S256",
        prompt="none",
    )
    async with op.browser() as browser:
        page = await browser.get(url)
        assert page.status == 303 and query_of(page)["error"] == "login_required"
        assert query_of(page)["state"] == "s-123"
        # Signed in (through another client's consent screen), this client still needs consent.
        other = op.add_client()
        await code_for(op, browser, other.client_id, challenge)
        page = await browser.get(url)
        assert page.status == 303 and query_of(page)["error"] == "consent_required"


async def test_consent_is_remembered_and_prompt_consent_asks_again(op: Provider) -> None:
    client = op.add_client()
    _, challenge = pkce()
    async with op.browser() as browser:
        await code_for(op, browser, client.client_id, challenge)
        url = authorize_url(
            client.client_id,
            op.redirect_uri,
            code_challenge=challenge,
            code_challenge_method="S256",
        )
        again = await browser.get(url)
        assert again.status == 302 and "code" in query_of(again)
        asked = await browser.get(url + "&prompt=consent")
        assert asked.status == 200 and asked.screen == "oidc-consent"
        denied = dict(re_fields(asked.html))
        denied["decision"] = "deny"
        answer = await browser.post("/oauth2/authorize", denied)
        assert answer.status == 303 and query_of(answer)["error"] == "access_denied"


async def test_confidential_client_needs_its_secret(op: Provider) -> None:
    client = op.add_client("client_secret_basic")
    assert client.client_secret
    verifier, challenge = pkce()
    async with op.browser() as browser:
        code = await code_for(op, browser, client.client_id, challenge)
    data = exchange(client.client_id, op.redirect_uri, code, verifier)
    bad = await op.token(data, auth=(client.client_id, "wrong-secret"))
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    public = await op.token(data)
    assert public.status_code == 401 and public.json()["error"] == "invalid_client"
    good = await op.token(data, auth=(client.client_id, client.client_secret))
    assert good.status_code == 200 and good.json()["id_token"]


async def test_an_error_keeps_the_query_of_a_registered_redirect_uri(op: Provider) -> None:
    registered = "http://127.0.0.1:28999/callback?tenant=a"
    client = op.add_client(redirect_uri=registered)
    async with op.browser() as browser:
        page = await browser.get(authorize_url(client.client_id, registered))
    assert page.status == 303
    assert page.response.headers["location"].startswith(registered + "&")
    assert query_of(page)["tenant"] == "a" and query_of(page)["error"] == "invalid_request"


async def test_after_our_own_forms_the_code_goes_out_by_a_refresh_page(op: Provider) -> None:
    """Chromium applies a form page's CSP ``form-action`` to the redirects after the post; a
    same-origin navigation is therefore handed to the client by a ``Refresh`` page, not a 302."""
    client = op.add_client()
    _, challenge = pkce()
    async with op.browser() as browser:
        await code_for(op, browser, client.client_id, challenge)
        url = authorize_url(
            client.client_id,
            op.redirect_uri,
            code_challenge=challenge,
            code_challenge_method="S256",
        )
        page = await browser.get(url, headers={"sec-fetch-site": "same-origin"})
    assert page.status == 200 and page.screen == "oidc-continue"
    refresh = page.response.headers["refresh"]
    assert refresh.startswith(f"0; url={op.redirect_uri}?code=")
    assert page.response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/oauth2/authorize", 400),
        ("/oauth2/authorize?response_type=code&client_id=nobody", 400),
        ("/oauth2/authorize?response_type=token&client_id=nobody", 400),
        ("/oauth2/userinfo", 401),
        ("/oauth2/logout?id_token_hint=not.a.jwt", 200),
    ],
)
async def test_malformed_requests_get_a_precise_answer_never_a_500(
    op: Provider, path: str, status: int
) -> None:
    async with op.browser() as browser:
        page = await browser.get(path)
    assert page.status == status, page.html[:300]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "unsupported_grant_type"),
        ({"grant_type": "password", "client_id": "x"}, "unsupported_grant_type"),
        (
            {"grant_type": "authorization_code", "client_id": "nobody", "code": "x"},
            "invalid_client",
        ),
        (
            {"grant_type": "refresh_token", "client_id": "nobody", "refresh_token": "x"},
            "invalid_client",
        ),
    ],
)
async def test_token_endpoint_errors_are_rfc6749_json(
    op: Provider, body: dict[str, str], error: str
) -> None:
    answer = await op.token(body)
    assert answer.status_code in (400, 401) and answer.json()["error"] == error

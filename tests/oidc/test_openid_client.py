"""The provider with a relying party nobody here wrote: panva's openid-client (Node)."""

from __future__ import annotations

from tests.oidc.support import Provider, query_of, sign_in_and_authorize


async def test_discovery_pkce_code_id_token_userinfo_and_refresh(op: Provider) -> None:
    client = op.add_client()
    started = await op.rp("start", client)
    assert "error" not in started, started
    assert started["metadata"]["code_challenge_methods_supported"] == ["S256"]
    async with op.browser() as browser:
        callback = await sign_in_and_authorize(browser, started["url"], op.email)
    assert query_of(callback)["state"] == started["state"]
    done = await op.rp(
        "finish",
        client,
        callback=callback.response.headers["location"],
        verifier=started["verifier"],
        state=started["state"],
        nonce=started["nonce"],
    )
    assert "error" not in done, done
    claims = done["claims"]
    assert claims["sub"] == op.customer_id
    assert claims["nonce"] == started["nonce"]
    assert claims["iss"] == op.issuer and claims["aud"] == [client.client_id]
    assert claims["amr"] == ["pwd"] and claims["acr"] == "aal1"
    assert claims["sid"] and claims["auth_time"] <= claims["iat"]
    assert done["userinfo"] == {"sub": op.customer_id, "email": op.email, "email_verified": True}
    assert done["refreshed"]["refresh_token"] != done["refresh_token"]
    assert done["refreshed"]["access_token"] != done["access_token"]

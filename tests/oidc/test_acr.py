"""``acr_values=aal2`` makes the login journey ask for a second factor even when risk says allow."""

from __future__ import annotations

from tests.oidc.support import Provider, sign_in_and_authorize
from tests.support.login import enrol_totp


async def test_aal2_request_steps_up_and_the_id_token_says_so(op: Provider) -> None:
    app = enrol_totp(op.settings, op.customer_id)
    client = op.add_client()
    started = await op.rp("start", client, extra={"acr_values": "aal2"})
    async with op.browser() as browser:
        # Without the authenticator the walk stops at the second-factor screen: risk said allow,
        # the client's acr_values asked for more.
        stopped = await sign_in_and_authorize(browser, started["url"], op.email)
        assert stopped.screen == "enter-totp"
    async with op.browser() as browser:
        callback = await sign_in_and_authorize(browser, started["url"], op.email, totp=app)
    done = await op.rp(
        "finish",
        client,
        callback=callback.response.headers["location"],
        verifier=started["verifier"],
        state=started["state"],
        nonce=started["nonce"],
    )
    assert "error" not in done, done
    assert done["claims"]["acr"] == "aal2"
    assert done["claims"]["amr"] == ["pwd", "otp"]

"""RFC 9207 mix-up defence: the callback's ``iss`` must name the provider that was asked.

panva's oidc-provider advertises ``authorization_response_iss_parameter_supported`` and sends
``iss`` with every answer, so the real sign-in (tests/oidc/test_federation.py) exercises the
accepted path; here an answer claiming another issuer, or none, is refused before its code is
exchanged, and nobody is signed in. The unit cases cover a provider that does not advertise it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.oidc.support import Provider
from tests.oidc.upstream import running_upstream
from tests.support.store import unique_email
from web.federation import Metadata, MixUpError, check_response_issuer
from web.sessions import SessionStore


def _metadata(*, supported: bool) -> Metadata:
    return Metadata(
        issuer="https://op.example",
        authorization_endpoint="https://op.example/auth",
        token_endpoint="https://op.example/token",
        jwks_uri="https://op.example/jwks",
        iss_parameter_supported=supported,
    )


@pytest.mark.parametrize("supported", [True, False])
def test_the_providers_own_issuer_is_accepted(supported: bool) -> None:
    check_response_issuer(_metadata(supported=supported), "https://op.example")


@pytest.mark.parametrize(
    "iss",
    [
        "https://attacker.example",
        "https://op.example/",
        "HTTPS://OP.EXAMPLE",
        "",
        "https://op.exampl",
    ],
)
@pytest.mark.parametrize("supported", [True, False])
def test_any_other_issuer_is_refused_even_when_not_advertised(supported: bool, iss: str) -> None:
    with pytest.raises(MixUpError):
        check_response_issuer(_metadata(supported=supported), iss)


def test_a_missing_iss_is_refused_only_when_the_provider_promised_it() -> None:
    check_response_issuer(_metadata(supported=False), None)
    with pytest.raises(MixUpError, match="missing"):
        check_response_issuer(_metadata(supported=True), None)


@pytest.mark.parametrize("iss", ["https://attacker.example", None])
async def test_a_callback_answered_for_another_issuer_signs_nobody_in(
    op: Provider, iss: str | None
) -> None:
    accounts: dict[str, dict[str, object]] = {"m-sub": {"email": unique_email("m")}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        begun = await browser.get(f"/login/idp/{upstream.name}")
        assert begun.status == 303
        state = parse_qs(urlsplit(begun.response.headers["location"]).query)["state"][0]
        query = f"code=stolen-code&state={state}" + (f"&iss={iss}" if iss else "")
        page = await browser.get(f"/login/idp/{upstream.name}/callback?{query}")
        assert page.status == 400 and "iss" in page.html
        signed_in = SessionStore(op.settings).load(browser.http.cookies.get("thr_session"))
        assert signed_in is None

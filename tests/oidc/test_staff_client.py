"""A staff-only client (the Temporal UI) over real HTTP, on SQLite and PostgreSQL.

The client is driven the way the Temporal UI drives it: a confidential client, ``openid email``,
a nonce and no PKCE, the secret in a Basic header. Staff sign in at ``/support/login`` (password +
TOTP) and get an ID token about themselves; customers, locked and disabled staff get nothing, and
nothing the UI holds opens a customer session.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import pytest_asyncio
from joserfc import jwt
from sqlalchemy.exc import IntegrityError
from temporalio.client import Client

from core.settings import Settings
from store.db import session_for
from store.models import utcnow
from store.oidc_clients import ClientError, NewClient, OidcClients
from store.oidc_models import OAuthClient, OAuthCode
from store.staff_models import StaffMember
from store.throttle import ACCOUNT
from tests.conftest import MakeSettings
from tests.oidc.flow import code_for, exchange, pkce
from tests.oidc.support import PASSWORD, Provider, query_of, running_provider
from tests.oidc.test_secrets_keys_logout import jwks
from tests.support.browser import Browser, Page, browser_for
from tests.support.staff import StaffLogin, add_staff
from tests.support.store import one, register_customer, unique_email, update

CALLBACK = "http://127.0.0.1:28998/auth/sso/callback"
STAFF_LINK = re.compile(r'href="(/support/login\?[^"]+)"')


@pytest_asyncio.fixture
async def op(make_settings: MakeSettings, db_url: str, client: Client) -> AsyncIterator[Provider]:
    """The provider on both databases, with one registered customer."""
    async with running_provider(make_settings, db_url, client) as provider:
        yield provider


def temporal_ui(settings: Settings) -> NewClient:
    """Registered as docs/operations.md says: ``threshold clients add --staff-only``."""
    return OidcClients(settings).add(
        "Temporal UI",
        auth_method="client_secret_basic",
        redirect_uris=[CALLBACK],
        staff_only=True,
    )


def ui_authorize_url(ui: NewClient, nonce: str, **extra: str) -> str:
    """The request the Temporal UI's server sends: nonce and state, no PKCE."""
    params = {
        "response_type": "code",
        "client_id": ui.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "ui-state",
        "nonce": nonce,
        **extra,
    }
    return "/oauth2/authorize?" + urlencode(params)


async def ui_token(op: Provider, ui: NewClient, code: str) -> httpx.Response:
    """The UI server's code exchange: Basic client authentication, no code_verifier."""
    assert ui.client_secret is not None
    return await op.token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        auth=(ui.client_id, ui.client_secret),
    )


async def staff_login(browser: Browser, page: Page, staff: StaffLogin, *, steps: int = 0) -> Page:
    """Fill the staff sign-in form ``page`` (carrying its ``return_to``) and post it."""
    form = {
        "csrf_token": page.csrf,
        "email": staff.created.email,
        "password": staff.created.password,
        "code": staff.code(steps),
    }
    return await browser.post("/support/login", {**hidden_return_to(page), **form})


def hidden_return_to(page: Page) -> dict[str, str]:
    marker = 'name="return_to" value="'
    if marker not in page.html:
        return {}
    start = page.html.index(marker) + len(marker)
    return {"return_to": html.unescape(page.html[start : page.html.index('"', start)])}


async def sign_in_for_ui(
    browser: Browser, ui: NewClient, staff: StaffLogin, nonce: str
) -> tuple[Page, Page]:
    """Open the UI's authorization request, sign in as staff; the login answer and what the
    browser reaches after it (the redirect to the UI, or the login form again)."""
    asked = await browser.get(ui_authorize_url(ui, nonce))
    assert asked.status == 303, asked.html[:300]
    assert asked.response.headers["location"].startswith("/support/login?return_to=")
    form = await browser.follow(asked)
    assert form.status == 200 and 'data-notice="staff-application"' in form.html
    answer = await staff_login(browser, form, staff)
    if answer.status != 303:
        return answer, answer
    return answer, await browser.follow(answer)


async def test_a_staff_member_gets_an_id_token_about_themselves(op: Provider) -> None:
    ui = temporal_ui(op.settings)
    staff = add_staff(op.settings, f"ops-{secrets.token_hex(4)}@example.com", role="admin")
    nonce = secrets.token_urlsafe(16)
    async with op.browser() as browser:
        answer, back = await sign_in_for_ui(browser, ui, staff, nonce)
        assert answer.status == 303 and answer.response.headers["location"].startswith(
            "/oauth2/authorize?"
        )
        assert back.status == 302, back.html[:300]
        assert back.response.headers["location"].startswith(CALLBACK + "?")
        query = query_of(back)
        assert query["state"] == "ui-state"

        tokens = await ui_token(op, ui, query["code"])
        assert tokens.status_code == 200, tokens.text
        body: dict[str, Any] = tokens.json()
        assert "refresh_token" not in body  # staff tokens end with the sign-in behind them
        claims = jwt.decode(body["id_token"], await jwks(op)).claims
        assert claims["sub"] == staff.id and claims["aud"] == [ui.client_id]
        assert claims["iss"] == op.issuer and claims["nonce"] == nonce
        assert claims["staff"] is True and claims["staff_role"] == "admin"
        assert claims["permissions"] == [f"{op.settings.temporal_namespace}:write"]
        assert claims["email"] == staff.created.email and claims["acr"] == "aal2"
        assert claims["amr"] == ["pwd", "otp"]

        info = await browser.get(
            "/oauth2/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert info.status == 200
        assert info.response.json()["sub"] == staff.id and info.response.json()["staff"] is True

        # Signed in, the next request from the UI goes straight back with a new code.
        again = await browser.get(ui_authorize_url(ui, secrets.token_urlsafe(16)))
        assert again.status == 302 and "code=" in again.response.headers["location"]
        assert (await ui_token(op, ui, query["code"])).status_code == 400  # single use


async def test_a_support_member_reads_and_a_request_without_nonce_or_pkce_is_refused(
    op: Provider,
) -> None:
    ui = temporal_ui(op.settings)
    staff = add_staff(op.settings, f"support-{secrets.token_hex(4)}@example.com")
    async with op.browser() as browser:
        _, back = await sign_in_for_ui(browser, ui, staff, "n-1")
        tokens = (await ui_token(op, ui, query_of(back)["code"])).json()
        claims = jwt.decode(tokens["id_token"], await jwks(op)).claims
        assert claims["staff_role"] == "support"
        assert claims["permissions"] == [f"{op.settings.temporal_namespace}:read"]

        bare = ui_authorize_url(ui, "x").replace("&nonce=x", "")
        refused = await browser.get(bare)
        assert refused.status == 303
        assert query_of(refused)["error"] == "invalid_request"  # neither PKCE nor a nonce


async def test_a_customer_is_refused_by_the_staff_client(op: Provider) -> None:
    ui = temporal_ui(op.settings)
    shop = op.add_client()
    async with op.browser() as browser:
        _, challenge = pkce()
        await code_for(op, browser, shop.client_id, challenge)  # a signed-in customer

        refused = await browser.get(ui_authorize_url(ui, "n-2"))
        assert refused.status == 403 and refused.screen == "oidc-staff-only"
        assert "Customer accounts cannot sign in to Temporal UI" in " ".join(refused.html.split())
        assert "location" not in refused.response.headers

        silent = await browser.get(ui_authorize_url(ui, "n-3", prompt="none"))
        assert query_of(silent)["error"] == "login_required" and "code" not in query_of(silent)

        # The page's link to the staff sign-in; the customer's own credentials get nothing there.
        link = html.unescape(STAFF_LINK.findall(refused.html)[0])
        form = await browser.get(link)
        assert 'data-notice="staff-application"' in form.html
        attempt = await browser.post(
            "/support/login",
            {
                **hidden_return_to(form),
                "csrf_token": form.csrf,
                "email": op.email,
                "password": PASSWORD,
                "code": "123456",
            },
        )
        assert attempt.status == 401 and "not right" in attempt.html
        assert 'data-notice="staff-application"' in attempt.html
        assert "thr_staff" not in browser.http.cookies


async def test_locked_and_disabled_staff_members_are_refused(op: Provider) -> None:
    ui = temporal_ui(op.settings)
    locked = add_staff(op.settings, f"locked-{secrets.token_hex(4)}@example.com")
    for i in range(ACCOUNT.free_failures):
        async with op.browser() as attacker:
            page = await attacker.get("/support/login")
            await attacker.post(
                "/support/login",
                {
                    "csrf_token": page.csrf,
                    "email": locked.created.email,
                    "password": f"guess-{i}",
                    "code": "000000",
                },
            )
    async with op.browser() as browser:
        answer, _ = await sign_in_for_ui(browser, ui, locked, "n-4")
        assert answer.status == 429 and "Too many failed attempts" in answer.html

    disabled = add_staff(op.settings, f"gone-{secrets.token_hex(4)}@example.com")
    async with op.browser() as browser:
        _, back = await sign_in_for_ui(browser, ui, disabled, "n-5")
        code = query_of(back)["code"]
        row = one(op.settings, StaffMember, id=disabled.id)
        update(op.settings, row, disabled_at=utcnow())

        redeemed = await ui_token(op, ui, code)
        assert redeemed.status_code == 400 and redeemed.json()["error"] == "invalid_grant"
        again = await browser.get(ui_authorize_url(ui, "n-6"))
        assert again.status == 303  # the staff session ended with the account
        assert again.response.headers["location"].startswith("/support/login?")
        form = await browser.follow(again)
        refused = await staff_login(browser, form, disabled, steps=1)
        assert refused.status == 401


async def test_staff_tokens_are_no_customer_session_and_staff_cannot_use_customer_clients(
    op: Provider,
) -> None:
    ui = temporal_ui(op.settings)
    shop = op.add_client()
    staff = add_staff(op.settings, f"ops-{secrets.token_hex(4)}@example.com")
    async with op.browser() as browser:
        _, back = await sign_in_for_ui(browser, ui, staff, "n-7")
        code = query_of(back)["code"]
        tokens = (await ui_token(op, ui, code)).json()

        # The staff session does not sign in to a customer client: the customer login opens.
        _, challenge = pkce()
        shop_url = "/oauth2/authorize?" + urlencode(
            {
                "response_type": "code",
                "client_id": shop.client_id,
                "redirect_uri": op.redirect_uri,
                "scope": "openid email",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        customer_path = await browser.get(shop_url)
        assert customer_path.status == 303
        assert customer_path.response.headers["location"].startswith("/login?")
        silent = await browser.get(shop_url + "&prompt=none")
        assert query_of(silent)["error"] == "login_required"

    # Neither token opens the account pages, as a cookie or as a bearer.
    for token in (tokens["access_token"], tokens["id_token"]):
        async with browser_for(base_url=op.issuer) as stranger:
            stranger.http.cookies.set("thr_session", token)
            account = await stranger.get("/account", headers={"Authorization": f"Bearer {token}"})
            assert account.status == 303 and account.response.headers["location"] == "/"
    # A customer client cannot redeem the staff code, nor read userinfo as a customer.
    verifier, _ = pkce()
    stolen = await op.token(exchange(shop.client_id, op.redirect_uri, code, verifier))
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    async with httpx.AsyncClient(base_url=op.issuer) as http:
        info = await http.get(
            "/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    assert info.json() == {
        "sub": staff.id,
        "staff": True,
        "staff_role": "support",
        "permissions": [f"{op.settings.temporal_namespace}:read"],
        "email": staff.created.email,
    }


async def test_consent_cannot_be_posted_for_the_staff_client(op: Provider) -> None:
    ui = temporal_ui(op.settings)
    async with op.browser() as browser:
        _, challenge = pkce()
        await code_for(op, browser, op.add_client().client_id, challenge)
        page = await browser.get("/support/login")  # a form of this browser's, for its token
        posted = await browser.post(
            "/oauth2/authorize",
            {
                "csrf_token": page.csrf,
                "decision": "allow",
                "response_type": "code",
                "client_id": ui.client_id,
                "redirect_uri": CALLBACK,
                "scope": "openid email",
                "state": "s",
                "nonce": "n",
            },
        )
        assert posted.status == 303
        assert query_of(posted)["error"] == "access_denied" and "code" not in query_of(posted)


def test_a_staff_client_must_be_confidential_and_gets_no_offline_access(
    db_settings: Settings,
) -> None:
    with pytest.raises(ClientError, match="must authenticate"):
        OidcClients(db_settings).add(
            "UI", auth_method="none", redirect_uris=[CALLBACK], staff_only=True
        )
    ui = temporal_ui(db_settings)
    row = one(db_settings, OAuthClient, client_id=ui.client_id)
    assert row.staff_only and "offline_access" not in row.scope.split()


def test_a_code_names_exactly_one_subject(db_settings: Settings) -> None:
    """The database itself refuses a code about nobody, or about a customer and staff at once."""
    ui = temporal_ui(db_settings)
    staff = add_staff(db_settings, f"ck-{secrets.token_hex(4)}@example.com")
    customer = register_customer(db_settings, unique_email("ck"))
    now = utcnow()
    for customer_id, staff_id in ((None, None), (customer, staff.id), (None, staff.id)):
        row = OAuthCode(
            code_hash=secrets.token_hex(32),
            client_id=ui.client_id,
            customer_id=customer_id,
            staff_id=staff_id,
            redirect_uri=CALLBACK,
            scope="openid",
            sid="s",
            auth_time=now,
            family=secrets.token_hex(16),
            expires_at=now,
        )
        if (customer_id is None) == (staff_id is None):
            with pytest.raises(IntegrityError), session_for(db_settings.database_url) as db:
                db.add(row)
        else:
            with session_for(db_settings.database_url) as db:
                db.add(row)


async def test_parallel_redemptions_of_a_staff_code_issue_one_token(op: Provider) -> None:
    ui = temporal_ui(op.settings)
    staff = add_staff(op.settings, f"race-{secrets.token_hex(4)}@example.com")
    async with op.browser() as browser:
        _, back = await sign_in_for_ui(browser, ui, staff, "n-8")
    code = query_of(back)["code"]
    answers = await asyncio.gather(*(ui_token(op, ui, code) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200] + [400] * 5

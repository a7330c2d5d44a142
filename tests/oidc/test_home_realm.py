"""Home-realm discovery end to end: ``/login`` with a work email → the organization's provider
(panva's oidc-provider) with ``login_hint`` → back, signed in as the linked customer."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

from store.db import session_for
from store.idp_models import IdentityLink
from store.organizations import Organizations
from tests.oidc.support import PASSWORD, Provider
from tests.oidc.upstream import running_upstream, through_upstream
from tests.support.store import register_customer
from web.sessions import SessionStore


async def test_a_work_email_signs_in_at_its_organization_provider(op: Provider) -> None:
    domain = f"acme-{uuid.uuid4().hex[:8]}.example"
    email = f"alice@{domain}"
    customer_id = register_customer(op.settings, email, PASSWORD)
    accounts: dict[str, dict[str, object]] = {"alice-sub": {"email": email, "email_verified": True}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        Organizations(op.settings).add("Acme", idp_name=upstream.name, domains=[domain])
        # Already linked: this test is about the way there, not about a first sign-in.
        with session_for(op.settings.database_url) as db:
            db.add(
                IdentityLink(
                    idp_name=upstream.name,
                    issuer=upstream.issuer,
                    subject="alice-sub",
                    customer_id=customer_id,
                )
            )

        page = await browser.get("/login")
        while page.status == 303:
            page = await browser.follow(page)
        assert page.screen == "sign-in"
        posted = await browser.post(str(page.response.url.path), page.form(email=email))
        assert posted.status == 303, posted.html[:500]
        begun = await browser.follow(posted)
        assert begun.status == 303, begun.html[:500]
        authorize = begun.response.headers["location"]
        assert authorize.startswith(f"{upstream.issuer}/")
        query = parse_qs(urlsplit(authorize).query)
        assert query["login_hint"] == [email] and query["code_challenge_method"] == ["S256"]

        done = await through_upstream(browser, authorize, "alice-sub")
        assert done.response.url.path == "/account" and done.status == 200, done.html[:500]
        signed_in = SessionStore(op.settings).load(browser.http.cookies.get("thr_session"))
        assert signed_in is not None and signed_in.customer.id == customer_id
        assert signed_in.session.amr == "fed"


async def test_a_malformed_login_hint_is_dropped(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {"h-sub": {"email": "h@hint.example"}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        for hint in ("not-an-email", "a" * 250 + "@x.example"):
            begun = await browser.get(f"/login/idp/{upstream.name}", params={"login_hint": hint})
            assert begun.status == 303
            assert "login_hint" not in parse_qs(urlsplit(begun.response.headers["location"]).query)

"""Linked accounts on the account pages: list upstream identities and unlink them, never the last
way to sign in, never someone else's; the upstream is panva's oidc-provider (Node)."""

from __future__ import annotations

import re
from datetime import timedelta

from store.idp_models import IdentityLink
from store.models import Session, utcnow
from tests.oidc.support import PASSWORD, Provider
from tests.oidc.upstream import Upstream, running_upstream, through_upstream
from tests.support.browser import Browser, Page
from tests.support.store import one, rows, unique_email, update
from web.sessions import SessionStore

PAGE = "/account/linked-accounts"
UNLINK_RE = re.compile(r'action="/account/linked-accounts/(\d+)/unlink"')


def _link_ids(page: Page) -> list[str]:
    return UNLINK_RE.findall(page.html)


def _signed_in_as(op: Provider, browser: Browser) -> str | None:
    signed_in = SessionStore(op.settings).load(browser.http.cookies.get("thr_session"))
    return signed_in.customer.id if signed_in else None


async def _until_not_redirected(browser: Browser, page: Page) -> Page:
    while page.status == 303:
        page = await browser.follow(page)
    return page


async def _federated_customer(op: Provider, browser: Browser, upstream: Upstream, sub: str) -> str:
    """A customer created by a first upstream sign-in: no password, no passkey, one link."""
    page = await through_upstream(browser, f"/login/idp/{upstream.name}", sub)
    if page.screen == "accept-terms":  # the registration journey asks for the terms first
        posted = await browser.post(str(page.response.url.path), page.form(terms="on"))
        page = await _until_not_redirected(browser, posted)
    assert page.response.url.path == "/account", (page.status, page.html[:500])
    customer_id = _signed_in_as(op, browser)
    assert customer_id is not None
    return customer_id


async def _password_sign_in(op: Provider, browser: Browser) -> None:
    """Sign in as the provider's registered customer (risk is pinned to allow)."""
    page = await _until_not_redirected(browser, await browser.get("/login"))
    assert page.screen == "sign-in", page.html[:500]
    posted = await browser.post(
        str(page.response.url.path), page.form(email=op.email, password=PASSWORD)
    )
    await _until_not_redirected(browser, posted)
    assert _signed_in_as(op, browser) == op.customer_id


async def test_a_federated_customer_sees_the_link_but_cannot_unlink_the_last_way_in(
    op: Provider,
) -> None:
    accounts: dict[str, dict[str, object]] = {
        "only-sub": {"email": unique_email("only"), "email_verified": True}
    }
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        customer_id = await _federated_customer(op, browser, upstream, "only-sub")
        account = await browser.get("/account")
        assert f'href="{PAGE}"' in account.html
        security = await browser.get("/account/security")
        assert f'href="{PAGE}"' in security.html

        page = await browser.get(PAGE)
        assert page.status == 200
        assert f"<strong>{upstream.name}</strong> · linked" in page.html
        assert "only-sub" not in page.html and upstream.issuer not in page.html
        assert "your only way to sign in" in page.html
        [link_id] = _link_ids(page)

        refused = await browser.post(f"{PAGE}/{link_id}/unlink", {"csrf_token": page.csrf})
        assert refused.status == 409
        assert refused.errors == [
            "Add a password or a passkey first: this provider is your only way to sign in, so "
            "unlinking it would lock you out."
        ]
        # An HTMX post gets the same answer as just the page's screen block.
        swapped = await browser.post(
            f"{PAGE}/{link_id}/unlink", {"csrf_token": page.csrf}, headers={"HX-Request": "true"}
        )
        assert swapped.status == 409 and "<html" not in swapped.html
        assert 'id="screen"' in swapped.html
        assert len(rows(op.settings, IdentityLink, customer_id=customer_id)) == 1


async def test_unlinking_with_a_password_ends_sign_in_by_that_link(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {
        "pat-sub": {"email": op.email, "email_verified": True}
    }
    async with running_upstream(op, accounts) as upstream:
        async with op.browser() as browser:
            # Link the identity to the password customer, as docs/oidc.md describes.
            page = await through_upstream(browser, f"/login/idp/{upstream.name}", "pat-sub")
            assert page.screen == "idp-prove"
            await _password_sign_in(op, browser)
            page = await browser.get(f"/login/idp/{upstream.name}/link")
            assert page.screen == "idp-confirm", (page.status, page.html[:500])
            linked = await browser.post(
                f"/login/idp/{upstream.name}/link", {"csrf_token": page.csrf}
            )
            assert linked.status == 303
            page = await browser.get(PAGE)
            [link_id] = _link_ids(page)
            assert "your only way to sign in" not in page.html
            url, token = f"{PAGE}/{link_id}/unlink", page.csrf

            missing = await browser.post(url, {})
            assert missing.status == 403 and "security token" in missing.html

            session = one(op.settings, Session, customer_id=op.customer_id)
            stale = utcnow() - timedelta(minutes=6)
            update(op.settings, session, authenticated_at=stale)
            reauth = await browser.post(url, {"csrf_token": token})
            assert reauth.status == 303
            assert reauth.response.headers["location"].startswith("/account/reauth?")
            assert len(rows(op.settings, IdentityLink, customer_id=op.customer_id)) == 1

            update(op.settings, session, authenticated_at=utcnow())
            unlinked = await browser.post(url, {"csrf_token": token})
            assert unlinked.status == 303, unlinked.html[:500]
            page = await browser.follow(unlinked)
            assert "was unlinked" in page.html and 'data-testid="no-linked-accounts"' in page.html
            assert rows(op.settings, IdentityLink, customer_id=op.customer_id) == []

            again = await browser.post(url, {"csrf_token": token})
            assert again.status == 404

        async with op.browser() as later:
            page = await through_upstream(later, f"/login/idp/{upstream.name}", "pat-sub")
            assert page.screen == "idp-prove", (page.status, page.html[:500])
            assert _signed_in_as(op, later) is None


async def test_another_customers_link_is_not_found(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {
        "eve-sub": {"email": unique_email("eve"), "email_verified": True}
    }
    async with running_upstream(op, accounts) as upstream:
        async with op.browser() as theirs:
            victim = await _federated_customer(op, theirs, upstream, "eve-sub")
        [link] = rows(op.settings, IdentityLink, customer_id=victim)
        async with op.browser() as browser:
            await _password_sign_in(op, browser)
            page = await browser.get(PAGE)
            assert _link_ids(page) == [] and upstream.name not in page.html
            token = (await browser.get("/account")).csrf  # the sign-out form's
            for link_id in (str(link.id), "999999"):
                sent = await browser.post(f"{PAGE}/{link_id}/unlink", {"csrf_token": token})
                assert sent.status == 404, sent.html[:500]
                assert "no linked account with that id" in sent.html
        assert len(rows(op.settings, IdentityLink, customer_id=victim)) == 1

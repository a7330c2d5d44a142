"""Sign-in with an upstream OpenID provider nobody here wrote: panva's oidc-provider (Node)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from temporalio.client import Client

from store.db import session_for
from store.identity_links import IdentityLinks
from store.idps import Idps
from store.models import Customer
from store.profile_models import ProfileField
from tests.conftest import MakeSettings
from tests.oidc.support import PASSWORD, Provider, running_provider
from tests.oidc.upstream import CLIENT_SECRET, Upstream, running_upstream, through_upstream
from tests.support.browser import Browser, Page
from tests.support.mail import MailCatcher, code_in, text_of
from tests.support.store import unique_email
from web.sessions import SessionStore


def _signed_in_as(op: Provider, browser: Browser) -> str | None:
    """The customer id this browser is signed in as, if any."""
    signed_in = SessionStore(op.settings).load(browser.http.cookies.get("thr_session"))
    return signed_in.customer.id if signed_in else None


async def _login_page(browser: Browser, url: str = "/login") -> Page:
    page = await browser.get(url)
    while page.status == 303:
        page = await browser.follow(page)
    return page


async def _accept_terms(browser: Browser, page: Page) -> Page:
    """Answer the registration journey's terms screen and follow it to where it leads."""
    assert page.screen == "accept-terms", (page.status, page.html[:500])
    page = await browser.post(str(page.response.url.path), page.form(terms="on"))
    while page.status == 303:
        page = await browser.follow(page)
    return page


async def _register_upstream(browser: Browser, upstream: Upstream, login: str) -> Page:
    """A first sign-in upstream, then the registration journey's terms screen."""
    page = await through_upstream(browser, f"/login/idp/{upstream.name}", login)
    assert page.response.url.path.startswith("/j/registration/"), page.html[:500]
    return await _accept_terms(browser, page)


async def test_first_sign_in_registers_through_the_journey_and_the_second_reuses_the_link(
    op: Provider,
) -> None:
    email = unique_email("fed")
    accounts: dict[str, dict[str, object]] = {
        "alice-sub": {
            "email": email,
            "email_verified": True,
            "name": "Alice Liddell",
            "locale": "fr-FR",
        }
    }
    async with running_upstream(op, accounts) as upstream:
        async with op.browser() as browser:
            login = await _login_page(browser)
            assert f'href="/login/idp/{upstream.name}"' in login.html
            page = await through_upstream(browser, f"/login/idp/{upstream.name}", "alice-sub")
            # Nobody is created before the terms are accepted.
            assert page.screen == "accept-terms", (page.status, page.html[:500])
            assert _signed_in_as(op, browser) is None
            with session_for(op.settings.database_url) as db:
                assert db.exec(select(Customer).where(Customer.email == email)).first() is None
            page = await _accept_terms(browser, page)
            assert page.response.url.path == "/account" and page.status == 200, page.html[:500]
            customer_id = _signed_in_as(op, browser)
        assert customer_id is not None
        with session_for(op.settings.database_url) as db:
            customer = db.get(Customer, customer_id)
            assert customer is not None and customer.email == email
            assert customer.verified_at is not None
            assert customer.created_by_journey.startswith("registration-")
            assert _session_amr(db, customer_id) == [["fed"]]
            assert _event_types(db, customer_id) >= {"customer.created", "customer.verified"}
            assert _granted(db, customer_id) >= {"terms"}
            assert _profile(db, customer_id) == {
                "display_name": ("Alice Liddell", f"idp:{upstream.name}"),
                "language": ("fr", f"idp:{upstream.name}"),
            }
        links = IdentityLinks(op.settings).links_of(customer_id)
        assert [(link.issuer, link.subject) for link in links] == [(upstream.issuer, "alice-sub")]

        async with op.browser() as again:
            page = await through_upstream(again, f"/login/idp/{upstream.name}", "alice-sub")
            assert page.response.url.path == "/account"
            assert _signed_in_as(op, again) == customer_id
        assert len(IdentityLinks(op.settings).links_of(customer_id)) == 1


async def test_an_unverified_email_is_proven_by_a_code_before_the_terms(
    op: Provider, smtp_server: MailCatcher
) -> None:
    email = unique_email("fed-unverified")
    accounts: dict[str, dict[str, object]] = {"bob-sub": {"email": email, "email_verified": False}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        page = await through_upstream(browser, f"/login/idp/{upstream.name}", "bob-sub")
        assert page.screen == "check-your-email", (page.status, page.html[:500])
        code = code_in(await smtp_server.wait_for(to=email))
        page = await browser.post(str(page.response.url.path), page.form(code=code))
        while page.status == 303:
            page = await browser.follow(page)
        page = await _accept_terms(browser, page)
        assert page.response.url.path == "/account", page.html[:500]
        customer_id = _signed_in_as(op, browser)
    assert customer_id is not None
    with session_for(op.settings.database_url) as db:
        customer = db.get(Customer, customer_id)
        assert customer is not None and customer.verified_at is not None
        assert _session_amr(db, customer_id) == [["fed", "email"]]


async def test_an_identity_linked_while_registering_fails_the_second_registration(
    op: Provider,
) -> None:
    """Two browsers start a first sign-in with one identity; the second to finish is refused."""
    email = unique_email("fed-race")
    accounts: dict[str, dict[str, object]] = {"race-sub": {"email": email, "email_verified": True}}
    async with running_upstream(op, accounts) as upstream:
        async with op.browser() as first, op.browser() as second:
            one = await through_upstream(first, f"/login/idp/{upstream.name}", "race-sub")
            two = await through_upstream(second, f"/login/idp/{upstream.name}", "race-sub")
            done = await _accept_terms(first, one)
            assert done.response.url.path == "/account"
            refused = await _accept_terms(second, two)
            assert "already exists" in refused.html, refused.html[:500]
            assert _signed_in_as(op, second) is None
        with session_for(op.settings.database_url) as db:
            assert len(db.exec(select(Customer).where(Customer.email == email)).all()) == 1


async def test_a_linked_sign_in_goes_through_the_login_journey_step_up_included(
    make_settings: MakeSettings, sqlite_url: str, client: Client, smtp_server: MailCatcher
) -> None:
    """The provider is the first factor only: risk (pinned to step-up here) still asks for more."""
    email = unique_email("fed-step-up")
    accounts: dict[str, dict[str, object]] = {"eve-sub": {"email": email, "email_verified": True}}
    async with (
        running_provider(make_settings, sqlite_url, client, "step_up") as op,
        running_upstream(op, accounts) as upstream,
    ):
        async with op.browser() as browser:
            await _register_upstream(browser, upstream, "eve-sub")
            customer_id = _signed_in_as(op, browser)
        assert customer_id is not None
        async with op.browser() as again:
            page = await through_upstream(again, f"/login/idp/{upstream.name}", "eve-sub")
            assert page.response.url.path.startswith("/j/login/"), page.html[:500]
            assert page.screen == "enter-email-code", (page.status, page.html[:500])
            assert _signed_in_as(op, again) is None
            code = code_in(await smtp_server.wait_for(to=email))
            page = await again.post(str(page.response.url.path), page.form(code=code))
            while page.status == 303:
                page = await again.follow(page)
            assert page.response.url.path == "/account", page.html[:500]
            assert _signed_in_as(op, again) == customer_id
        with session_for(op.settings.database_url) as db:
            assert ["fed", "email"] in _session_amr(db, customer_id)
            assert _event_types(db, customer_id) >= {"login.challenged", "login.succeeded"}


def _session_amr(db: Session, customer_id: str) -> list[list[str]]:
    rows = db.execute(text("SELECT amr FROM sessions WHERE customer_id = :c"), {"c": customer_id})
    return [str(amr).split() for amr in rows.scalars()]


def _event_types(db: Session, customer_id: str) -> set[str]:
    rows = db.execute(
        text("SELECT type FROM outbox_events WHERE customer_id = :c"), {"c": customer_id}
    )
    return set(rows.scalars())


def _granted(db: Session, customer_id: str) -> set[str]:
    rows = db.execute(
        text("SELECT purpose FROM consent_records WHERE customer_id = :c AND granted"),
        {"c": customer_id},
    )
    return set(rows.scalars())


def _profile(db: Session, customer_id: str) -> dict[str, tuple[str, str]]:
    rows = db.exec(select(ProfileField).where(ProfileField.customer_id == customer_id)).all()
    return {row.name: (row.value, row.source) for row in rows}


async def test_an_existing_email_is_linked_only_after_the_password(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {
        "mallory-sub": {"email": op.email, "email_verified": True}
    }
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        page = await through_upstream(browser, f"/login/idp/{upstream.name}", "mallory-sub")
        assert page.screen == "idp-prove", (page.status, page.html[:500])
        assert "never" in page.html and "email alone" in page.html
        assert _signed_in_as(op, browser) is None
        assert IdentityLinks(op.settings).links_of(op.customer_id) == []
        # Skipping the proof does not help: the link step asks for a local sign-in first.
        skipped = await browser.get(f"/login/idp/{upstream.name}/link")
        assert skipped.status == 303 and skipped.response.headers["location"].startswith("/login")

        page = await _login_page(browser, skipped.response.headers["location"])
        assert page.screen == "sign-in"
        page = await browser.post(
            str(page.response.url.path), page.form(email=op.email, password=PASSWORD)
        )
        while page.status == 303:
            page = await browser.follow(page)
        assert page.screen == "idp-confirm", (page.status, page.html[:500])
        assert _signed_in_as(op, browser) == op.customer_id
        assert IdentityLinks(op.settings).links_of(op.customer_id) == []
        linked = await browser.post(f"/login/idp/{upstream.name}/link", {"csrf_token": page.csrf})
        assert linked.status == 303, linked.html[:500]
        links = IdentityLinks(op.settings).links_of(op.customer_id)
        assert [(link.issuer, link.subject) for link in links] == [(upstream.issuer, "mallory-sub")]

        async with op.browser() as later:
            await through_upstream(later, f"/login/idp/{upstream.name}", "mallory-sub")
            assert _signed_in_as(op, later) == op.customer_id


async def test_an_existing_email_can_be_proven_by_an_emailed_code_then_linked(
    op: Provider, smtp_server: MailCatcher
) -> None:
    accounts: dict[str, dict[str, object]] = {"code-sub": {"email": op.email}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        page = await through_upstream(browser, f"/login/idp/{upstream.name}", "code-sub")
        assert page.screen == "idp-prove", (page.status, page.html[:500])
        forged = await browser.post(f"/login/idp/{upstream.name}/prove-by-email", {})
        assert forged.status == 403
        page = await browser.post(
            f"/login/idp/{upstream.name}/prove-by-email", {"csrf_token": page.csrf}
        )
        while page.status == 303:
            page = await browser.follow(page)
        assert page.screen == "enter-email-code", (page.status, page.html[:500])
        message = await smtp_server.wait_for(to=op.email)
        # No password was used on this path: the email says what the code is for instead.
        assert "knows your password" not in text_of(message)
        assert "link that sign-in to your Threshold account" in " ".join(text_of(message).split())
        code = code_in(message)
        page = await browser.post(str(page.response.url.path), page.form(code=code))
        while page.status == 303:
            page = await browser.follow(page)
        assert page.screen == "idp-confirm", (page.status, page.html[:500])
        with session_for(op.settings.database_url) as db:
            assert _session_amr(db, op.customer_id) == [["email"]]
        linked = await browser.post(f"/login/idp/{upstream.name}/link", {"csrf_token": page.csrf})
        assert linked.status == 303, linked.html[:500]
        links = IdentityLinks(op.settings).links_of(op.customer_id)
        assert [(link.issuer, link.subject) for link in links] == [(upstream.issuer, "code-sub")]


async def test_proof_by_email_needs_a_sign_in_waiting_in_this_browser(op: Provider) -> None:
    async with op.browser() as browser:
        page = await _login_page(browser)
        refused = await browser.post("/login/idp/acme/prove-by-email", {"csrf_token": page.csrf})
        assert refused.status == 400 and "waiting to be linked" in refused.html


async def test_a_callback_with_another_state_is_refused(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {"s-sub": {"email": unique_email("s")}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        begun = await browser.get(f"/login/idp/{upstream.name}")
        assert begun.status == 303
        page = await browser.get(f"/login/idp/{upstream.name}/callback?code=x&state=forged")
        assert page.status == 400 and "state" in page.html
        assert _signed_in_as(op, browser) is None
    async with op.browser() as stranger:  # no cookie: a callback from another browser
        page = await stranger.get(f"/login/idp/{upstream.name}/callback?code=x&state=forged")
        assert page.status == 400 and "another browser" in page.html


async def test_a_provider_answering_for_another_issuer_is_refused(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {"i-sub": {"email": unique_email("i")}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        # The same server registered under another spelling of its issuer (localhost).
        impostor = upstream.issuer.replace("127.0.0.1", "localhost")
        Idps(op.settings).add("impostor", issuer=impostor, client_id="c", client_secret="s")
        page = await browser.get("/login/idp/impostor")
        assert page.status == 400 and "different issuer" in page.html


async def test_the_client_secret_is_never_in_the_clear(
    op: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    accounts: dict[str, dict[str, object]] = {"c-sub": {"email": unique_email("c")}}
    async with running_upstream(op, accounts) as upstream, op.browser() as browser:
        await through_upstream(browser, f"/login/idp/{upstream.name}", "c-sub")
    with session_for(op.settings.database_url) as db:
        for table in ("upstream_idps", "idp_logins", "identity_links", "sessions"):
            rows = db.execute(text(f"SELECT * FROM {table}")).all()
            assert CLIENT_SECRET not in repr(rows), table
    assert caplog.records and CLIENT_SECRET not in caplog.text


async def test_a_linked_customer_who_is_no_longer_active_is_refused(op: Provider) -> None:
    accounts: dict[str, dict[str, object]] = {
        "d-sub": {"email": unique_email("d"), "email_verified": True}
    }
    async with running_upstream(op, accounts) as upstream:
        async with op.browser() as browser:
            await _register_upstream(browser, upstream, "d-sub")
            customer_id = _signed_in_as(op, browser)
        with session_for(op.settings.database_url) as db:
            customer = db.get(Customer, customer_id or "")
            assert customer is not None
            customer.status = "deactivated"
            db.add(customer)
        async with op.browser() as again:
            page = await through_upstream(again, f"/login/idp/{upstream.name}", "d-sub")
            assert page.status == 400 and "not active" in page.html
            assert _signed_in_as(op, again) is None

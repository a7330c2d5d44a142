"""Provisioned customers: invitation email → link on any browser → password → terms → signed in;
``active: false`` ends their sessions at once; DELETE erases them. Real SMTP, Temporal, databases.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from core.settings import Settings
from journeys.kit import ScreenView
from store.invitation_models import Invitation
from store.models import ConsentRecord, Credential, Customer
from store.models import Session as BrowserSession
from store.scim_models import ScimResource
from tests.support.browser import Browser, browser_for
from tests.support.mail import MailCatcher, text_of
from tests.support.store import one, rows, unique_email
from tests.support.waiting import eventually

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
PASSWORD = "amber-lantern-orchard"
INVITE_RE = re.compile(r"https?://\S+/invite/\S+\?token=[A-Za-z0-9_\-]+")


async def waiting_for_link(client: Client, customer_id: str) -> None:
    """The journey recorded the email as sent and waits for the link, as a person would find it."""

    async def probe() -> None:
        handle = client.get_workflow_handle(f"invitation-{customer_id}")
        view = await handle.query("view", result_type=ScreenView)
        assert view is not None and view.screen == "check-your-inbox"

    await eventually(probe)


def invitation_link(message: EmailMessage) -> str:
    found = INVITE_RE.search(text_of(message))
    assert found, f"no invitation link in {message['Subject']!r}"
    return found.group(0)


async def provision(scim: httpx.AsyncClient, email: str) -> str:
    response = await scim.post("/Users", json={"schemas": [USER], "userName": email})
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


async def accept_invitation(browser: Browser, link: str, password: str = PASSWORD) -> None:
    parts = urlsplit(link)
    token = parse_qs(parts.query)["token"][0]
    confirm = await browser.get(f"{parts.path}?{parts.query}")
    assert confirm.status == 200, confirm.html[:300]
    opened = await browser.post(parts.path, {"csrf_token": confirm.csrf, "token": token})
    page = await browser.follow(opened)
    assert page.screen == "choose-your-password", page.html[:500]
    page = await browser.follow(
        await browser.post(page.response.url.path, page.form(password=password))
    )
    assert page.screen == "accept-terms", page.html[:500]
    done = await browser.post(page.response.url.path, page.form(terms="on"))
    assert done.status == 303 and done.response.headers["location"] == "/account", done.html[:300]


async def test_invited_customer_sets_a_password_accepts_terms_and_is_signed_in(
    scim: httpx.AsyncClient,
    scim_app: FastAPI,
    smtp_server: MailCatcher,
    scim_settings: Settings,
    client: Client,
) -> None:
    email = unique_email("invited")
    customer_id = await provision(scim, email)
    link = invitation_link(await smtp_server.wait_for(to=email))
    await waiting_for_link(client, customer_id)

    async with browser_for(scim_app) as browser:
        await accept_invitation(browser, link)
        account = await browser.get("/account")
        assert account.status == 200

        credential = one(scim_settings, Credential, customer_id=customer_id, kind="password")
        assert credential.secret_hash.startswith("$argon2id$")
        consent = one(scim_settings, ConsentRecord, customer_id=customer_id)
        assert (consent.purpose, consent.channel, consent.granted) == ("terms", "invitation", True)
        assert one(scim_settings, Customer, id=customer_id).verified_at is not None

        # The link works once: another browser gets a clear refusal, not a journey.
        async with browser_for(scim_app) as other:
            parts = urlsplit(link)
            confirm = await other.get(f"{parts.path}?{parts.query}")
            token = parse_qs(parts.query)["token"][0]
            again = await other.post(parts.path, {"csrf_token": confirm.csrf, "token": token})
            assert again.status in (400, 410), again.html[:300]

        # active=false suspends at once: the signed-in browser is signed out.
        suspended = await scim.patch(
            f"/Users/{customer_id}",
            json={
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
        )
        assert suspended.status_code == 200, suspended.text
        assert (await browser.get("/account")).status == 303
        assert all(
            s.revoked_at is not None
            for s in rows(scim_settings, BrowserSession, customer_id=customer_id)
        )
        assert one(scim_settings, Customer, id=customer_id).status == "suspended"

    # DELETE deprovisions with no grace period: the resource gone at once, then the
    # deprovisioning journey erases the personal data.
    assert (await scim.delete(f"/Users/{customer_id}")).status_code == 204
    assert (await scim.get(f"/Users/{customer_id}")).status_code == 404

    async def erased_by_the_journey() -> Customer:
        erased = one(scim_settings, Customer, id=customer_id)
        assert erased.status == "erased", erased.status
        return erased

    erased = await eventually(erased_by_the_journey)
    assert email not in erased.email and erased.email_lookup == ""
    assert rows(scim_settings, Credential, customer_id=customer_id) == []
    assert rows(scim_settings, BrowserSession, customer_id=customer_id) == []
    assert rows(scim_settings, Invitation, customer_id=customer_id) == []
    assert rows(scim_settings, ScimResource, id=customer_id) == []
    assert (await scim.delete(f"/Users/{customer_id}")).status_code == 404


async def test_weak_password_is_refused_and_the_invitation_goes_on(
    scim: httpx.AsyncClient, scim_app: FastAPI, smtp_server: MailCatcher, client: Client
) -> None:
    email = unique_email("weak")
    customer_id = await provision(scim, email)
    link = invitation_link(await smtp_server.wait_for(to=email))
    await waiting_for_link(client, customer_id)
    parts = urlsplit(link)
    token = parse_qs(parts.query)["token"][0]

    async with browser_for(scim_app) as browser:
        confirm = await browser.get(f"{parts.path}?{parts.query}")
        page = await browser.follow(
            await browser.post(parts.path, {"csrf_token": confirm.csrf, "token": token})
        )
        weak = await browser.post(page.response.url.path, page.form(password="password1"))
        assert weak.status == 422 and weak.errors, weak.html[:300]
        page = await browser.follow(
            await browser.post(page.response.url.path, page.form(password=PASSWORD))
        )
        assert page.screen == "accept-terms"


async def test_a_forged_or_foreign_link_binds_nothing(
    scim: httpx.AsyncClient, scim_app: FastAPI, smtp_server: MailCatcher, client: Client
) -> None:
    email = unique_email("forged")
    customer_id = await provision(scim, email)
    await smtp_server.wait_for(to=email)
    await waiting_for_link(client, customer_id)

    async with browser_for(scim_app) as browser:
        path = f"/invite/invitation-{customer_id}"
        confirm = await browser.get(f"{path}?token=forged")
        refused = await browser.post(path, {"csrf_token": confirm.csrf, "token": "forged"})
        assert refused.status == 400, refused.html[:300]
        assert (await browser.get(f"/j/invitation/invitation-{customer_id}")).status == 403
        no_csrf = await browser.post(path, {"token": "forged"})
        assert no_csrf.status == 403
        assert (await browser.get("/invite/registration-x?token=t")).status == 400

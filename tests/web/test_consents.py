"""``/account/consents`` over HTTP with the real app, worker and dev server: state, history,
withdrawing and granting (CSRF, no JavaScript), the Kantara receipt, and bad input."""

from __future__ import annotations

import json
import re

import pytest
from temporalio.client import Client

from core.settings import Settings
from store.events_models import OutboxEvent
from store.models import ConsentRecord
from tests.conftest import MakeSettings
from tests.support.browser import Browser
from tests.support.login import pinned
from tests.support.store import register_customer, rows, unique_email
from tests.support.temporal import target_of
from tests.web.test_login import sign_in

PASSWORD = "violet-tractor-harbour"
PAGE = "/account/consents"


@pytest.fixture
def settings(make_settings: MakeSettings, sqlite_url: str, client: Client) -> Settings:
    """Every sign-in allowed, so the tests are about consents, not risk."""
    return pinned(make_settings(sqlite_url, temporal_address=target_of(client)), "allow")


async def signed_in(browser: Browser, settings: Settings) -> str:
    email = unique_email("consents")
    customer_id = register_customer(settings, email, PASSWORD)
    done = await sign_in(browser, email, PASSWORD)
    while done.status == 303 and not done.response.headers["location"].startswith("/account"):
        done = await browser.follow(done)
    assert done.status == 303, done.html[:300]
    await browser.follow(done)
    return customer_id


def purposes_shown(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-purpose="([a-z_]+)" data-granted="(yes|no)"', html))


async def test_grant_then_withdraw_appends_records_and_events(
    browser: Browser, settings: Settings
) -> None:
    customer_id = await signed_in(browser, settings)
    page = await browser.get(PAGE)
    assert page.status == 200
    assert purposes_shown(page.html) == {
        "terms": "yes",
        "marketing_email": "no",
        "analytics": "no",
        "partner_sharing": "no",
    }

    for decision in ("grant", "withdraw"):
        form = {"csrf_token": page.csrf, "purpose": "marketing_email", "decision": decision}
        posted = await browser.post(PAGE, form)
        assert posted.status == 303
        page = await browser.follow(posted)
        assert purposes_shown(page.html)["marketing_email"] == (
            "yes" if decision == "grant" else "no"
        )

    records = rows(settings, ConsentRecord, customer_id=customer_id, purpose="marketing_email")
    ordered = sorted(records, key=lambda r: r.id or 0)
    assert [(r.granted, r.channel) for r in ordered] == [(True, "account"), (False, "account")]
    assert page.html.count("<tr><td>") == 3  # terms at registration + the two changes
    events = rows(settings, OutboxEvent, customer_id=customer_id, type="consent.changed")
    assert len(events) == 2
    assert {json.loads(e.data)["purposes"][0]["granted"] for e in events} == {True, False}


async def test_receipt_lists_the_granted_purposes(browser: Browser, settings: Settings) -> None:
    customer_id = await signed_in(browser, settings)
    page = await browser.get(PAGE)
    await browser.post(PAGE, {"csrf_token": page.csrf, "purpose": "analytics", "decision": "grant"})

    response = await browser.http.get(f"{PAGE}/receipt.json")

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    body = response.json()
    assert body["version"] == "KI-CR-v1.1.0" and body["piiPrincipalId"] == customer_id
    for key in (
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "language",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
    ):
        assert key in body
    [service] = body["services"]
    assert [p["purposeName"] for p in service["purposes"]] == ["analytics", "terms"]
    assert [p["primaryPurpose"] for p in service["purposes"]] == [False, True]


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"purpose": "terms", "decision": "withdraw"}, 422, "required"),
        ({"purpose": "horoscope", "decision": "grant"}, 422, "listed purposes"),
        ({"purpose": "analytics", "decision": "maybe"}, 422, "grant or to withdraw"),
        ({"purpose": "analytics", "decision": "grant", "csrf_token": "forged"}, 403, ""),
    ],
)
async def test_bad_changes_are_refused_precisely(
    browser: Browser, settings: Settings, form: dict[str, str], status: int, message: str
) -> None:
    customer_id = await signed_in(browser, settings)
    page = await browser.get(PAGE)
    before = len(rows(settings, ConsentRecord, customer_id=customer_id))

    refused = await browser.post(PAGE, {"csrf_token": page.csrf, **form})

    assert refused.status == status
    assert message in " ".join(refused.errors) or not message
    assert len(rows(settings, ConsentRecord, customer_id=customer_id)) == before


async def test_signed_out_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    for page in (await browser.get(PAGE), await browser.get(f"{PAGE}/receipt.json")):
        assert page.status == 303
        assert page.response.headers["location"].startswith("/login?return_to=")

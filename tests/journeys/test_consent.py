"""Consent in journeys on a real dev server: registration's choices and re-consent at sign-in.

A version bump of a required purpose is a code change to :mod:`contracts.consents`; the tests make
it by replacing the catalogue entry in this process, where the test worker runs.
"""

from __future__ import annotations

import json

import pytest
from temporalio.client import Client

from contracts.consents import CATALOGUE
from core.settings import Settings
from journeys.kit import ErrorCode
from store.events_models import OutboxEvent
from store.models import ConsentRecord
from tests.conftest import MakeSettings
from tests.journeys.test_registration import signed_up
from tests.support.login import login_worker, pinned, start_login
from tests.support.mail import MailCatcher, code_in
from tests.support.store import register_customer, rows, unique_email
from tests.support.waiting import rejected

PASSWORD = "violet-tractor-harbour"


@pytest.fixture
def base(make_settings: MakeSettings, sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


def bump_terms(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setitem(
        CATALOGUE, "terms", CATALOGUE["terms"].model_copy(update={"version": version})
    )


def state(settings: Settings, customer_id: str) -> list[tuple[str, str, bool, str]]:
    records = rows(settings, ConsentRecord, customer_id=customer_id)
    return [(r.purpose, r.version, r.granted, r.channel) for r in sorted(records, key=_id)]


def _id(record: ConsentRecord) -> int:
    return record.id or 0


async def test_registration_records_the_terms_and_the_optional_purposes_ticked(
    client: Client, base: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("consent")
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await signed_up(client, settings, email)
        view = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
        assert view.screen == "accept-terms"
        assert [f.name for f in view.fields] == [
            "terms",
            "marketing_email",
            "analytics",
            "partner_sharing",
        ]
        refused = await rejected(run.submit(analytics="on"))
        assert refused.type == ErrorCode.INVALID_SUBMISSION and "Terms" in refused.message
        await run.submit(terms="on", analytics="on")
        outcome = await run.result()

    assert state(base, outcome.customer_id) == [
        ("terms", "2026-01", True, "registration"),
        ("analytics", "2026-01", True, "registration"),
    ]
    [event] = rows(base, OutboxEvent, customer_id=outcome.customer_id, type="consent.changed")
    assert event.event_id == f"{run.id}:consent.changed"
    assert [p["purpose"] for p in json.loads(event.data)["purposes"]] == ["terms", "analytics"]


async def test_a_new_terms_version_is_asked_once_at_the_next_sign_in(
    client: Client, base: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = unique_email("reconsent")
    customer_id = register_customer(base, email, PASSWORD)
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.status == "done"  # nothing changed: no interstitial
        bump_terms(monkeypatch, "2026-07")

        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "re-consent"
        assert "Terms of Service" in view.intro
        refused = await rejected(run.submit(marketing_email="on"))
        assert refused.type == ErrorCode.INVALID_SUBMISSION and "Terms" in refused.message
        await run.submit(terms="on", marketing_email="on")
        outcome = await run.result()
        assert outcome.kind == "signed_in" and outcome.customer_id == customer_id

        again = await start_login(client, settings)
        view = await again.submit(email=email, password=PASSWORD)
        assert view.status == "done"

    assert state(base, customer_id) == [
        ("terms", "2026-01", True, "registration"),
        ("terms", "2026-07", True, "login"),
        ("marketing_email", "2026-01", True, "login"),
    ]
    [event] = rows(base, OutboxEvent, customer_id=customer_id, type="consent.changed")
    assert event.event_id == f"{run.id}:consent.changed"


async def test_reauthentication_never_asks_to_re_consent(
    client: Client, base: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = unique_email("reauth")
    customer_id = register_customer(base, email, PASSWORD)
    bump_terms(monkeypatch, "2026-08")
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings, reauth_customer_id=customer_id)
        view = await run.submit(password=PASSWORD)

    assert view.status == "done"

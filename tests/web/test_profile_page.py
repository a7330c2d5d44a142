"""``/account/profile`` over HTTP: what was collected, edited with the plan's own validation."""

from __future__ import annotations

import re

import pytest
from temporalio.client import Client

from core.settings import Settings
from store.profile_models import ProfileField
from tests.conftest import MakeSettings
from tests.support.browser import Browser
from tests.support.login import pinned
from tests.support.store import PROFILED, rows
from tests.support.temporal import target_of
from tests.web.test_consents import signed_in

PAGE = "/account/profile"


@pytest.fixture
def settings(make_settings: MakeSettings, sqlite_url: str, client: Client) -> Settings:
    return pinned(make_settings(sqlite_url, temporal_address=target_of(client)), "allow")


def stored(settings: Settings, customer_id: str) -> dict[str, str]:
    return {f.name: f.value for f in rows(settings, ProfileField, customer_id=customer_id)}


async def test_edit_one_form_and_see_every_field(browser: Browser, settings: Settings) -> None:
    customer_id = await signed_in(browser, settings)
    page = await browser.get(PAGE)
    assert page.status == 200
    assert re.findall(r'data-rule="([a-z-]+)"', page.html) == [
        "about-you",
        "contact",
        "preferences",
    ]
    assert 'value="+33612345678"' in page.html

    form = {"csrf_token": page.csrf, "rule": "about-you", "display_name": "Zoé", "country": "DE"}
    saved = await browser.post(PAGE, form)
    assert saved.status == 303
    assert "Saved." in (await browser.follow(saved)).html

    assert stored(settings, customer_id) == {**PROFILED, "display_name": "Zoé", "country": "DE"}


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"rule": "contact", "phone": "12", "address": "1 rue X"}, 422, "international format"),
        ({"rule": "about-you", "display_name": "A", "country": "XX"}, 422, "listed countries"),
        ({"rule": "nope"}, 422, "Choose one of the forms"),
        ({"rule": "about-you", "display_name": "A", "country": "FR", "csrf_token": "x"}, 403, ""),
    ],
)
async def test_bad_edits_are_refused_precisely(
    browser: Browser, settings: Settings, form: dict[str, str], status: int, message: str
) -> None:
    customer_id = await signed_in(browser, settings)
    page = await browser.get(PAGE)

    refused = await browser.post(PAGE, {"csrf_token": page.csrf, **form})

    assert refused.status == status
    assert message in refused.html
    assert stored(settings, customer_id) == PROFILED

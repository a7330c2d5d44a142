"""Who may start which journey at ``/j/<name>``: the declaration decides, not the URL.

Internal journeys (deprovisioning, export, invitation, add-passkey) answer 404 at once and leave
no workflow behind; public ones start for anyone; every registered journey is covered, so a new
journey is checked by declaring it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from journeys.catalog import by_name
from journeys.kit import Journey, journey
from tests.support.browser import Browser

INTERNAL = sorted(name for name, cls in by_name().items() if cls.entry == "internal")
PUBLIC = sorted(name for name, cls in by_name().items() if cls.entry == "public")


def test_the_internal_journeys_are_the_ones_the_platform_starts() -> None:
    assert {"deprovisioning", "export", "invitation", "add-passkey"} <= set(INTERNAL)
    assert {"registration", "login", "recovery"} <= set(PUBLIC)


@pytest.mark.parametrize("name", INTERNAL)
async def test_an_internal_journey_cannot_be_started_from_the_web(
    browser: Browser, name: str
) -> None:
    page = await browser.get(f"/j/{name}")
    assert page.status == 404
    assert "thr_journeys=" not in page.response.headers.get("set-cookie", "")


@pytest.mark.parametrize("name", PUBLIC)
async def test_a_public_journey_starts_for_anyone(browser: Browser, name: str) -> None:
    started = await browser.get(f"/j/{name}")
    assert started.status == 303
    assert started.response.headers["location"].startswith(f"/j/{name}/{name}-")


async def test_an_unknown_journey_is_a_clear_404(browser: Browser) -> None:
    page = await browser.get("/j/no-such-journey")
    assert page.status == 404 and "no-such-journey" in page.html


def test_a_declaration_cannot_be_public_and_signed_in_or_gate_an_anonymous_journey() -> None:
    with pytest.raises(ValueError, match="both public and signed_in"):
        journey("both-ways", public=True, signed_in=True)
    with pytest.raises(ValueError, match="need signed_in"):
        journey("anonymous-gate", recent_auth=timedelta(minutes=5))
    assert Journey.entry == "internal"  # the safe default when nothing is declared


async def test_a_visitor_finds_every_way_in_from_the_home_page(browser: Browser) -> None:
    home = await browser.get("/")
    assert home.status == 200
    assert 'href="/register"' in home.html
    assert 'href="/login"' in home.html
    _, sign_in_page = await browser.open_journey("/login")
    assert sign_in_page.screen == "sign-in"
    assert 'href="/recover"' in sign_in_page.html
    assert 'href="/j/magic-link"' in sign_in_page.html

"""Emailed-link pages speak for their journey: each journey's declared words, never another's.

The pages are generic (``templates/journeys/link.html``, ``link_done.html``); what they say comes
from the journey's ``link_page`` declaration, through the registry. The "done" pages after a real
link are covered with the flows (tests/web/test_journeys.py, tests/web/test_recovery.py).
"""

from __future__ import annotations

import html
import uuid

import pytest

from contracts.links import LinkPage
from journeys.catalog import by_name
from tests.support.browser import Browser

#: Each journey that emails a link, the URL its link opens, and words only its page may say.
OWN_WORDS = {
    "registration": ("/j/registration/registration-{id}/link", "Confirm my email"),
    "recovery": ("/j/recovery/recovery-{id}/link", "Reset my password"),
    "invitation": ("/invite/invitation-{id}", "Set up your account"),
}


def declared(journey: str) -> LinkPage:
    return by_name()[journey].link_page


def shows(page_html: str, *texts: str) -> bool:
    return all(html.escape(text) in page_html for text in texts)


def test_every_journey_that_emails_a_link_words_its_own_pages() -> None:
    pages = {name: declared(name) for name in OWN_WORDS}

    assert all(page != LinkPage() for page in pages.values())
    assert len({page.title for page in pages.values()}) == len(pages)
    assert len({page.gone for page in pages.values()}) == len(pages)


@pytest.mark.parametrize("journey", sorted(OWN_WORDS))
async def test_the_link_page_says_its_journeys_words(browser: Browser, journey: str) -> None:
    url, own = OWN_WORDS[journey]
    words = declared(journey)

    page = await browser.get(f"{url.format(id=uuid.uuid4().hex)}?token=abc")

    assert page.status == 200
    assert shows(page.html, words.title, words.intro, words.button, own)
    assert f"<title>{html.escape(words.title)} · Threshold</title>" in page.html
    for other, (_, theirs) in OWN_WORDS.items():
        if other != journey:
            assert theirs not in page.html and declared(other).title not in page.html


@pytest.mark.parametrize("journey", ["registration", "recovery"])
async def test_a_link_whose_journey_is_gone_says_so_in_its_journeys_words(
    browser: Browser, journey: str
) -> None:
    url, _ = OWN_WORDS[journey]
    path = url.format(id=uuid.uuid4().hex)
    opened = await browser.get(f"{path}?token=abc")

    gone = await browser.post(path, {"csrf_token": opened.csrf, "token": "abc"})

    words = declared(journey)
    assert gone.status == 410
    assert shows(gone.html, words.gone_title, words.gone)
    others = [declared(o).gone for o in OWN_WORDS if o != journey]
    assert not any(html.escape(text) in gone.html for text in others)


async def test_a_journey_that_declares_no_link_page_gets_neutral_words(browser: Browser) -> None:
    page = await browser.get(f"/j/login/login-{uuid.uuid4().hex}/link?token=abc")

    assert page.status == 200 and shows(page.html, LinkPage().title, LinkPage().button)
    assert not any(declared(o).title in page.html for o in OWN_WORDS)

"""Change email address over the real web app: re-authentication, a code (or link) to the new
address, the switch, the notice with an undo link to the old one, and enumeration safety."""

from __future__ import annotations

import re

from store.events_models import OutboxEvent
from store.models import Customer, Verification
from tests.support.browser import Browser, Page
from tests.support.mail import MailCatcher, code_in, link_in, text_of
from tests.support.store import one, register_customer, rows, unique_email
from tests.web.test_login import PASSWORD, Stack, allow, normalized, sign_in
from workers.activities.login import WRONG

__all__ = ["allow"]  # the fixture, shared with the login tests


async def post(browser: Browser, url: str, page: Page, **values: str) -> Page:
    """Post one screen like a browser without JavaScript and follow the redirect back."""
    posted = await browser.post(url, page.form(**values))
    return await browser.follow(posted) if posted.status == 303 else posted


async def to_the_code(browser: Browser, new_email: str) -> tuple[str, Page]:
    """Start the change, name ``new_email`` and re-authenticate: the check-your-new-email page."""
    started = await browser.get("/j/change-email")
    assert started.status == 303, started.html[:300]
    page = await browser.follow(started)
    assert page.screen == "new-email-address", page.html[:300]
    url = str(page.response.url.path)
    page = await post(browser, url, page, email=new_email)
    assert page.screen == "confirm-its-you", page.html[:300]
    page = await post(browser, url, page, password=PASSWORD)
    assert page.screen == "check-your-new-email", page.html[:300]
    return url, page


async def open_link(browser: Browser, link: str) -> Page:
    """Open an emailed link and press its button, as the person reading the email would."""
    page = await browser.get(link.removeprefix("http://threshold.test"))
    assert page.status == 200, page.html[:300]
    token = re.search(r'name="token" value="([^"]+)"', page.html)
    assert token is not None
    action = re.search(r'action="([^"]+)"', page.html)
    assert action is not None
    return await browser.post(action.group(1), {"csrf_token": page.csrf, "token": token.group(1)})


async def test_change_email_then_undo_it_from_the_old_address(
    allow: Stack, smtp_server: MailCatcher
) -> None:
    old, new = unique_email("change-email-old"), unique_email("change-email-new")
    customer_id = register_customer(allow.settings, old, PASSWORD)
    async with allow.browser() as laptop, allow.browser(ip="5.39.0.1") as phone:
        for browser in (laptop, phone):
            assert (await sign_in(browser, old, PASSWORD)).status == 303
        assert 'href="/j/change-email"' in (await laptop.get("/account")).html

        started = await laptop.follow(await laptop.get("/j/change-email"))
        url = str(started.response.url.path)
        bad = await laptop.post(url, started.form(email="not an address"))
        assert bad.status == 422 and bad.screen == "new-email-address"
        page = await post(laptop, url, started, email=old.upper())
        assert page.screen == "new-email-address"
        assert "This is already your address." in page.errors
        page = await post(laptop, url, page, email=new)
        assert page.screen == "confirm-its-you"
        page = await post(laptop, url, page, password="not-my-password")
        assert page.screen == "confirm-its-you" and WRONG in page.errors
        page = await post(laptop, url, page, password=PASSWORD)
        assert page.screen == "check-your-new-email"
        assert "24 hours" in page.html

        code = code_in(await smtp_server.wait_for(to=new))
        page = await post(laptop, url, page, code=f"{(int(code) + 1) % 10**6:06d}")
        assert page.screen == "check-your-new-email" and page.errors
        done = await laptop.post(url, page.form(code=code))
        assert done.status == 303 and done.response.headers["location"] == "/account?done=email"
        assert one(allow.settings, Customer, id=customer_id).email == new
        assert (await laptop.get("/account")).status == 200  # still signed in

        notice = await smtp_server.wait_for(to=old)
        assert "no longer uses" in text_of(notice) and new not in text_of(notice)
        assert not re.search(r"\b\d{6}\b", text_of(notice))  # link only: nothing to type
        undo = link_in(notice)
        assert "/j/undo-window/" in undo
        async with allow.browser() as tablet:
            assert (await sign_in(tablet, new, PASSWORD)).response.headers["location"] == (
                "/account"
            )
            undone = await open_link(tablet, undo)
            assert undone.status == 200 and "The change was undone" in undone.html
            assert one(allow.settings, Customer, id=customer_id).email == old
            for browser in (laptop, phone, tablet):
                assert (await browser.get("/account")).status == 303  # signed out everywhere
            again = await open_link(tablet, undo)
            assert again.status == 410  # single use
    events = rows(allow.settings, OutboxEvent, customer_id=customer_id)
    changed = sorted(e.data for e in events if e.type == "customer.email_changed")
    assert changed == ['{"undone": true}', "{}"]  # the switch, then its undo; no address


async def test_a_taken_address_walks_the_same_screens_and_never_switches(
    allow: Stack, smtp_server: MailCatcher
) -> None:
    mine, theirs = unique_email("change-email-a"), unique_email("change-email-b")
    free = unique_email("change-email-c")
    customer_id = register_customer(allow.settings, mine, PASSWORD)
    register_customer(allow.settings, theirs, "another-fine-passphrase")
    async with allow.browser() as first, allow.browser() as second:
        for browser in (first, second):
            assert (await sign_in(browser, mine, PASSWORD)).status == 303
        taken_url, taken_page = await to_the_code(first, theirs)
        free_url, free_page = await to_the_code(second, free)

        def same(page: Page) -> str:
            html = re.sub(r"change-email-[0-9a-f\-]{36}", "…", normalized(page.html))
            return re.sub(r"c•+@example\.com", "…", html)

        assert same(taken_page) == same(free_page)

        tried = await smtp_server.wait_for(to=theirs)
        assert "nothing was changed" in text_of(tried)
        assert not re.search(r"\b\d{6}\b", text_of(tried)) and "/link" not in text_of(tried)
        page = await post(first, taken_url, taken_page, code="123456")
        assert page.screen == "check-your-new-email" and page.errors
        assert one(allow.settings, Customer, id=customer_id).email == mine

        # The free address's link works from any device; the waiting page then moves on.
        confirmed = await open_link(first, link_in(await smtp_server.wait_for(to=free)))
        assert confirmed.status == 200, confirmed.html[:300]
        moved = await second.get(free_url)
        assert moved.status == 303 and moved.response.headers["location"] == "/account?done=email"
        assert one(allow.settings, Customer, id=customer_id).email == free
        assert len(rows(allow.settings, Verification)) >= 3


async def test_a_visitor_without_a_session_is_sent_to_sign_in(allow: Stack) -> None:
    async with allow.browser() as browser:
        page = await browser.get("/j/change-email")
        assert page.status == 303
        assert page.response.headers["location"].startswith("/login?return_to=%2Fj%2Fchange-email")

"""Change password from the account page, over the real web app: re-authentication with this
customer's password only, the NIST policy, the other sessions signed out, the notice emailed."""

from __future__ import annotations

from store import webhook_subscriptions as subscriptions
from tests.support.browser import Browser, Page
from tests.support.mail import MailCatcher, text_of
from tests.support.receiver import running_receiver
from tests.support.store import register_customer, unique_email
from tests.support.waiting import eventually
from tests.web.test_login import PASSWORD, Stack, allow, sign_in
from workers.activities.login import WRONG

__all__ = ["allow"]  # the fixture, shared with the login tests

NEW_PASSWORD = "quiet-lantern-orchard"


async def post(browser: Browser, url: str, page: Page, **values: str) -> Page:
    """Post one screen like a browser without JavaScript and follow the redirect back."""
    posted = await browser.post(url, page.form(**values))
    return await browser.follow(posted) if posted.status == 303 else posted


async def open_change_password(browser: Browser) -> tuple[str, Page]:
    started = await browser.get("/j/change-password")
    assert started.status == 303, started.html[:300]
    page = await browser.follow(started)
    assert page.screen == "confirm-its-you", page.html[:300]
    return str(page.response.url.path), page


async def test_change_password_signs_out_the_other_sessions_and_emails_a_notice(
    allow: Stack, smtp_server: MailCatcher
) -> None:
    email = unique_email("change-password")
    customer_id = register_customer(allow.settings, email, PASSWORD)
    other = unique_email("someone-else")
    register_customer(allow.settings, other, "another-fine-passphrase")
    with running_receiver() as receiver:
        receiver.secret = subscriptions.add(
            allow.settings, receiver.url, ["customer.password_changed"]
        ).secret
        await change_it(allow, smtp_server, email)

        async def announced() -> None:
            got = [p for p in receiver.unique().values() if p["data"]["customer_id"] == customer_id]
            assert [p["type"] for p in got] == ["customer.password_changed"]
            assert set(got[0]["data"]) == {"customer_id", "customer_seq"}  # no secret

        await eventually(announced)
    async with allow.browser() as tablet:
        signed = await sign_in(tablet, email, NEW_PASSWORD)
        assert signed.response.headers["location"] == "/account"


async def change_it(allow: Stack, smtp_server: MailCatcher, email: str) -> None:
    """Two sessions; the wrong passwords, weak ones, then the change from the first session."""
    async with allow.browser() as laptop, allow.browser(ip="5.39.0.1") as phone:
        for browser in (laptop, phone):
            assert (await sign_in(browser, email, PASSWORD)).status == 303
        account = await laptop.get("/account")
        assert 'href="/j/change-password"' in account.html  # linked from its declaration

        url, page = await open_change_password(laptop)
        page = await post(laptop, url, page, password="not-my-password")
        assert page.screen == "confirm-its-you" and WRONG in page.errors
        # Another account's password proves nothing about this one.
        page = await post(laptop, url, page, password="another-fine-passphrase")
        assert page.screen == "confirm-its-you" and WRONG in page.errors
        page = await post(laptop, url, page, password=PASSWORD)
        assert page.screen == "choose-new-password", page.html[:300]

        too_short = await laptop.post(url, page.form(password="short"))
        assert too_short.status == 422 and too_short.screen == "choose-new-password"
        page = await post(laptop, url, page, password="iloveyou")
        assert page.screen == "choose-new-password" and page.errors
        for weak in (email.split("@")[0], "qwertyuiop1234"):  # the email, a keyboard run
            page = await post(laptop, url, page, password=weak)
            assert page.screen == "choose-new-password" and page.errors

        done = await laptop.post(url, page.form(password=NEW_PASSWORD))
        assert done.status == 303
        assert done.response.headers["location"] == "/account/security?done=password"
        assert (await laptop.get("/account")).status == 200  # a fresh session here
        assert (await phone.get("/account")).status == 303  # signed out elsewhere

        notice = await smtp_server.wait_for(to=email)
        assert "password of your Threshold account was changed" in text_of(notice)
        assert NEW_PASSWORD not in text_of(notice)

        refused = await phone.follow(await sign_in(phone, email, PASSWORD))
        assert refused.screen == "sign-in" and WRONG in refused.errors  # the old one is gone


async def test_a_visitor_without_a_session_is_sent_to_sign_in(allow: Stack) -> None:
    async with allow.browser() as browser:
        page = await browser.get("/j/change-password")
        assert page.status == 303
        assert page.response.headers["location"].startswith(
            "/login?return_to=%2Fj%2Fchange-password"
        )


async def test_a_foreign_browser_cannot_drive_someone_elses_change(allow: Stack) -> None:
    email = unique_email("change-password-foreign")
    register_customer(allow.settings, email, PASSWORD)
    async with allow.browser() as owner, allow.browser() as attacker:
        assert (await sign_in(owner, email, PASSWORD)).status == 303
        url, page = await open_change_password(owner)
        stolen = await attacker.post(url, page.form(password=PASSWORD))
        assert stolen.status in (403, 404)
        assert (await owner.get(url)).screen == "confirm-its-you"

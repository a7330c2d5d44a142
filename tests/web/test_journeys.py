"""Registration through the real web routes: plain form posts, HTMX swaps, links, bad input."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel import Session, select

from core.settings import Settings
from store.db import engine_for
from store.models import ConsentRecord, Customer
from tests.support.browser import Browser, sign_up
from tests.support.mail import MailCatcher, code_in, link_in

PASSWORD = "correct horse battery staple"


def new_email() -> str:
    return f"web-{uuid.uuid4().hex[:10]}@example.com"


def customers_with(settings: Settings, email: str) -> list[Customer]:
    with Session(engine_for(settings.database_url)) as db:
        return list(db.exec(select(Customer).where(Customer.email == email)).all())


async def test_registration_with_plain_form_posts(
    browser: Browser, smtp_server: MailCatcher, settings: Settings
) -> None:
    email = new_email()
    start = await browser.get("/register")
    assert start.status == 303 and start.response.headers["location"] == "/j/registration"
    created = await browser.get("/j/registration")
    assert created.status == 303
    binding = created.response.headers["set-cookie"]
    assert "thr_journeys=" in binding and "httponly" in binding.lower()
    assert "samesite=lax" in binding.lower()
    url = created.response.headers["location"]

    page = await browser.get(url)
    assert page.status == 200 and page.screen == "sign-up"
    assert page.response.headers["vary"].endswith("HX-Request")
    csp = page.response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<html" in page.html

    posted = await browser.post(url, page.form(email=email, password=PASSWORD))
    assert posted.status == 303 and posted.response.headers["location"] == url
    page = await browser.get(url)
    assert page.screen == "check-your-email"
    assert email not in page.html  # shown masked: w••••••@example.com
    assert "@example.com" in page.html
    assert 'sse-connect="' in page.html and "Refresh this page" in page.html

    code = code_in(await smtp_server.wait_for(to=email))
    posted = await browser.post(url, page.form(code=code))
    assert posted.status == 303
    page = await browser.get(url)
    assert page.screen == "accept-terms"

    posted = await browser.post(url, page.form(terms="on"))
    assert posted.status == 303 and posted.response.headers["location"] == "/account"
    session_cookie = posted.response.headers["set-cookie"]
    assert "thr_session=" in session_cookie and "httponly" in session_cookie.lower()
    account = await browser.get("/account")
    assert account.status == 200 and email in account.html

    [customer] = customers_with(settings, email)
    assert customer.verified_at is not None
    with Session(engine_for(settings.database_url)) as db:
        consents = db.exec(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id))
        assert [(c.purpose, c.granted) for c in consents] == [("terms", True)]


async def test_registration_with_htmx_swaps_only_the_screen(
    browser: Browser, smtp_server: MailCatcher
) -> None:
    email = new_email()
    hx = {"HX-Request": "true"}
    url, page = await browser.open_journey()

    swapped = await browser.post(url, page.form(email=email, password=PASSWORD), headers=hx)
    assert swapped.status == 200
    assert swapped.html.lstrip().startswith('<section id="screen"')
    assert "<html" not in swapped.html and swapped.screen == "check-your-email"

    code = code_in(await smtp_server.wait_for(to=email))
    swapped = await browser.post(url, swapped.form(code=code), headers=hx)
    assert swapped.status == 200 and swapped.screen == "accept-terms"

    done = await browser.post(url, swapped.form(terms="on"), headers=hx)
    assert done.status == 200 and done.response.headers["hx-redirect"] == "/account"
    assert (await browser.get("/account")).status == 200


async def test_email_link_opened_on_another_device_moves_the_waiting_page(
    browser: Browser, other_browser: Browser, smtp_server: MailCatcher
) -> None:
    email = new_email()
    url, waiting = await sign_up(browser, email, PASSWORD)
    link = link_in(await smtp_server.wait_for(to=email))
    path = link.removeprefix("http://threshold.test")

    live = asyncio.create_task(browser.get(f"{url}/events?seq={waiting.seq}"))
    await asyncio.sleep(0.3)
    assert not live.done()

    confirm = await other_browser.get(path)
    assert confirm.status == 200 and "Confirm my email" in confirm.html
    assert confirm.response.headers["referrer-policy"] == "no-referrer"
    token = path.split("token=", 1)[1]
    done = await other_browser.post(
        path.split("?")[0], {"csrf_token": confirm.csrf, "token": token}
    )
    assert done.status == 200 and "Email confirmed" in done.html

    stream = await asyncio.wait_for(live, timeout=15)
    assert "event: changed" in stream.html
    assert (await browser.get(url)).screen == "accept-terms"

    again = await other_browser.post(
        path.split("?")[0], {"csrf_token": confirm.csrf, "token": token}
    )
    assert again.status == 410 and "no longer works" in again.html


async def test_empty_fields_are_named(browser: Browser) -> None:
    url, page = await browser.open_journey()
    answer = await browser.post(url, page.form(email="", password=""))
    assert answer.status == 422
    assert "Email is required." in answer.errors
    assert "Password is required." in answer.errors


async def test_invalid_and_oversized_input_gets_precise_messages(browser: Browser) -> None:
    url, page = await browser.open_journey()
    invalid = await browser.post(url, page.form(email="not-an-email", password=PASSWORD))
    assert invalid.status == 422
    assert any("valid email" in e for e in invalid.errors)
    assert 'value="not-an-email"' in invalid.html  # kept for correction
    assert PASSWORD not in invalid.html  # never echoed

    long_email = "a" * 250 + "@example.com"
    oversized = await browser.post(url, page.form(email=long_email, password=PASSWORD))
    assert oversized.status == 422
    assert any("at most 254" in e for e in oversized.errors)

    huge = await browser.post(url, page.form(email="x@example.com", password="p" * 70_000))
    assert huge.status == 413 and "too large" in huge.html.lower()


LONG_NON_ASCII = "Pchnąć w tę łódź jeża lub ośm skrzyń fig; zażółć gęślą jaźń, Łód"


async def test_password_policy(browser: Browser) -> None:
    url, page = await browser.open_journey()
    short = await browser.post(url, page.form(email=new_email(), password="short"))
    assert short.status == 422 and "at least 8 characters" in " ".join(short.errors)
    common = await browser.post(url, page.form(email=new_email(), password="password1"))
    assert common.status == 422 and "too common" in " ".join(common.errors)
    # 64 characters, 84 UTF-8 bytes: no byte limit truncates it (argon2 takes it whole)
    long_ok = await browser.post(url, page.form(email=new_email(), password=LONG_NON_ASCII))
    assert long_ok.status == 303


async def test_six_wrong_codes(browser: Browser, smtp_server: MailCatcher) -> None:
    email = new_email()
    url, page = await sign_up(browser, email, PASSWORD)
    code = code_in(await smtp_server.wait_for(to=email))
    wrong = "000000" if code != "000000" else "111111"
    hx = {"HX-Request": "true"}
    messages = []
    for _ in range(6):
        page = await browser.post(url, page.form(code=wrong), headers=hx)
        assert page.status == 422, page.html[:300]
        messages.append(" ".join(page.errors))
    assert "4 attempts left" in messages[0]
    assert "1 attempt left" in messages[3]
    assert "Too many wrong attempts" in messages[4]
    assert "Too many wrong attempts" in messages[5]
    blocked = await browser.post(url, page.form(code=code), headers=hx)
    assert "Too many wrong attempts" in " ".join(blocked.errors)  # the right code is dead too

    resent = await browser.post(url, blocked.form(action="resend"), headers=hx)
    assert resent.status == 200
    assert "wait" in resent.html  # cooldown before another code is sent


async def test_non_digit_code_is_refused_before_the_workflow(browser: Browser) -> None:
    url, page = await sign_up(browser, new_email(), PASSWORD)
    answer = await browser.post(url, page.form(code="12ab56"))
    assert answer.status == 422 and "digits only" in " ".join(answer.errors)


async def test_replayed_post_is_refused_as_out_of_date(browser: Browser) -> None:
    url, page = await browser.open_journey()
    form = page.form(email=new_email(), password=PASSWORD)
    first = await browser.post(url, form)
    assert first.status == 303
    replay = await browser.post(url, form)
    assert replay.status == 409
    assert "out of date" in " ".join(replay.errors)
    assert replay.screen == "check-your-email"


async def test_another_browser_cannot_drive_a_journey(
    browser: Browser, other_browser: Browser
) -> None:
    url, page = await browser.open_journey()
    peek = await other_browser.get(url)
    assert peek.status == 403 and "another browser" in peek.html
    _, own_page = await other_browser.open_journey()  # a valid CSRF token of its own
    hijack = await other_browser.post(
        url,
        {"csrf_token": own_page.csrf, "screen": "sign-up", "seq": page.seq, "email": new_email()},
    )
    assert hijack.status == 403


async def test_missing_or_wrong_csrf_token(browser: Browser) -> None:
    url, page = await browser.open_journey()
    form = page.form(email=new_email(), password=PASSWORD)
    del form["csrf_token"]
    missing = await browser.post(url, form)
    assert missing.status == 403 and "token" in missing.html
    wrong = await browser.post(url, {**form, "csrf_token": "forged"})
    assert wrong.status == 403


async def test_unknown_journeys_and_ids_get_clear_pages(browser: Browser) -> None:
    assert (await browser.get("/j/nope")).status == 404
    assert (await browser.get("/j/nope/nope-123")).status == 404
    stranger = await browser.get(f"/j/registration/registration-{uuid.uuid4()}")
    assert stranger.status == 403
    bad_link = await browser.get("/j/registration/registration-x/link")
    assert bad_link.status == 400


async def test_logout_revokes_the_session(browser: Browser, smtp_server: MailCatcher) -> None:
    email = new_email()
    url, page = await sign_up(browser, email, PASSWORD)
    page = await browser.follow(
        await browser.post(url, page.form(code=code_in(await smtp_server.wait_for(to=email))))
    )
    signed_in = await browser.post(url, page.form(terms="on"))
    stolen_cookie = browser.http.cookies.get("thr_session")
    account = await browser.get("/account")
    assert account.status == 200
    out = await browser.post("/logout", {"csrf_token": account.csrf})
    assert out.status == 303 and signed_in.status == 303
    assert (await browser.get("/account")).status == 303
    browser.http.cookies.set("thr_session", stolen_cookie or "")
    assert (await browser.get("/account")).status == 303  # revoked server-side, not just forgotten


async def test_healthz(browser: Browser) -> None:
    health = await browser.get("/healthz")
    assert health.status == 200
    assert health.response.json() == {"status": "ok", "database": "ok", "temporal": "ok"}

"""``/support`` in-process: staff sign-in, finding journeys by email, acting on them, funnels."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from temporalio.worker import Worker

from core.settings import Settings
from store.models import AuditEvent
from store.throttle import ACCOUNT
from tests.support.browser import Browser, browser_for, sign_up
from tests.support.mail import MailCatcher
from tests.support.staff import StaffLogin, add_staff, sign_in
from tests.support.store import one, unique_email
from tests.support.waiting import eventually
from web.app import create_app

PASSWORD = "violet-tractor-harbour"
ROW_RE = re.compile(r'<tr data-workflow-id="([^"]+)">(.*?)</tr>', re.S)


@pytest.fixture
def member(settings: Settings) -> StaffLogin:
    return add_staff(settings, f"staff-{uuid.uuid4().hex[:8]}@example.com")


async def test_support_pages_need_a_staff_session(browser: Browser, member: StaffLogin) -> None:
    for path in ("/support", "/support/funnels"):
        page = await browser.get(path)
        assert page.status == 303 and page.response.headers["location"] == "/support/login"

    await sign_in(browser, member)

    cookie = next(c for c in browser.http.cookies.jar if c.name == "thr_staff")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert (cookie.get_nonstandard_attr("SameSite") or "").lower() == "lax"
    assert "thr_session" not in browser.http.cookies  # not a customer session
    assert (await browser.get("/account")).status == 303
    home = await browser.get("/support")
    assert home.status == 200 and member.created.email in home.html


async def test_sign_in_errors_are_precise(browser: Browser, member: StaffLogin) -> None:
    page = await browser.get("/support/login")
    form = {"csrf_token": page.csrf, "email": member.created.email}

    missing = await browser.post("/support/login", {**form, "password": "x"})
    wrong = await browser.post("/support/login", {**form, "password": "nope", "code": "123456"})
    no_csrf = await browser.post("/support/login", {"email": member.created.email})

    assert missing.status == 400 and "Enter your email, password and code." in missing.html
    assert wrong.status == 401 and "Email, password or code is not right." in wrong.html
    assert no_csrf.status == 403
    for _ in range(ACCOUNT.free_failures - 1):
        await browser.post("/support/login", {**form, "password": "nope", "code": "123456"})
    right = {**form, "password": member.created.password, "code": member.code()}
    locked = await browser.post("/support/login", right)
    assert locked.status == 429 and "Too many failed attempts" in locked.html


async def test_find_a_customer_and_cancel_their_journey(
    settings: Settings,
    browser: Browser,
    member: StaffLogin,
    smtp_server: MailCatcher,
    worker: Worker,
) -> None:
    email = unique_email("find")
    async with browser_for(create_app(settings, client=worker.client)) as customer:
        await sign_up(customer, email, PASSWORD)
    await smtp_server.wait_for(to=email)
    await sign_in(browser, member)

    async def listed() -> tuple[str, str]:
        page = await browser.get("/support")
        found = await browser.post("/support/find", {"csrf_token": page.csrf, "email": email})
        assert found.status == 200
        rows = ROW_RE.findall(found.html)
        assert len(rows) == 1 and "check-your-email" in rows[0][1]
        return rows[0]

    workflow_id, row = await eventually(listed)
    assert f"/namespaces/default/workflows/{workflow_id}/" in row
    assert email not in row

    page = await browser.get("/support")
    url = f"/support/journeys/{workflow_id}/actions"
    bad = await browser.post(url, {"csrf_token": page.csrf, "action": "explode"})
    minutes = await browser.post(
        url, {"csrf_token": page.csrf, "action": "extend", "extend_minutes": "forever"}
    )
    done = await browser.post(url, {"csrf_token": page.csrf, "action": "cancel", "reason": "T-9"})
    again = await browser.post(url, {"csrf_token": page.csrf, "action": "cancel"})

    assert bad.status == 400 and "Unknown action" in bad.html
    assert minutes.status == 400 and "whole number of minutes" in minutes.html
    assert done.status == 200 and "The journey was cancelled." in done.html
    assert again.status == 409 and "No running journey has this id" in again.html
    event = one(settings, AuditEvent, journey_id=workflow_id, kind="support.cancel")
    assert json.loads(event.detail) == {"staff_id": member.id, "reason": "T-9"}


async def test_bad_search_and_period_inputs_are_400(browser: Browser, member: StaffLogin) -> None:
    await sign_in(browser, member)
    page = await browser.get("/support")

    bad_email = await browser.post("/support/find", {"csrf_token": page.csrf, "email": "no"})
    bad_period = await browser.get("/support/funnels?days=5")

    assert bad_email.status == 400 and "Enter a valid email address" in bad_email.html
    assert bad_period.status == 400 and "Choose one of 1, 7, 30, 90 days." in bad_period.html

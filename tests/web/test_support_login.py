"""Staff sign-in over the app: the shared lockout under parallel requests, the owner's known
browser, and the initial password that must be replaced before anything else opens."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import FastAPI

from core.settings import Settings
from store.staff import StaffDirectory
from store.throttle import ACCOUNT
from tests.support.browser import Browser, browser_for
from tests.support.staff import StaffLogin, add_staff, sign_in


def staff_email() -> str:
    return f"staff-{uuid.uuid4().hex[:8]}@example.com"


async def guess(app: FastAPI, member: StaffLogin, i: int) -> int:
    """One wrong password from a fresh browser (an unknown device); the answer's status."""
    async with browser_for(app) as attacker:
        page = await attacker.get("/support/login")
        answer = await attacker.post(
            "/support/login",
            {
                "csrf_token": page.csrf,
                "email": member.created.email,
                "password": f"guess-{i}",
                "code": "123456",
            },
        )
        return answer.status


async def test_twenty_parallel_wrong_passwords_check_exactly_the_limit(
    app: FastAPI, settings: Settings
) -> None:
    member = add_staff(settings, staff_email())

    statuses = await asyncio.gather(*(guess(app, member, i) for i in range(20)))

    assert statuses.count(401) == ACCOUNT.free_failures
    assert statuses.count(429) == 20 - ACCOUNT.free_failures


async def test_the_staff_members_own_browser_is_not_locked_out(
    app: FastAPI, settings: Settings, browser: Browser
) -> None:
    member = add_staff(settings, staff_email())
    await sign_in(browser, member)
    page = await browser.get("/support")
    await browser.post("/support/logout", {"csrf_token": page.csrf})

    await asyncio.gather(*(guess(app, member, i) for i in range(20)))
    async with browser_for(app) as elsewhere:
        page = await elsewhere.get("/support/login")
        refused = await elsewhere.post(
            "/support/login",
            {
                "csrf_token": page.csrf,
                "email": member.created.email,
                "password": member.created.password,
                "code": member.code(),
            },
        )
        assert refused.status == 429

    await sign_in(browser, member, steps_ahead=1)

    assert (await browser.get("/support")).status == 200


async def test_the_initial_password_must_be_replaced_before_anything_else(
    settings: Settings, browser: Browser
) -> None:
    member = add_staff(settings, staff_email(), replaced=False)
    page = await browser.get("/support/login")
    answer = await browser.post(
        "/support/login",
        {
            "csrf_token": page.csrf,
            "email": member.created.email,
            "password": member.created.password,
            "code": member.code(),
        },
    )
    assert answer.status == 303 and answer.response.headers["location"] == "/support/password"
    assert (await browser.get("/support")).response.headers["location"] == "/support/login"
    pending_cookie = browser.http.cookies["thr_staff"]

    form = await browser.get("/support/password")
    assert form.status == 200 and "works only once" in form.html
    weak = await browser.post(
        "/support/password",
        {"csrf_token": form.csrf, "new_password": "abcdefgh", "confirm_password": "abcdefgh"},
    )
    assert weak.status == 400 and "too easy to guess" in weak.html
    mismatch = await browser.post(
        "/support/password",
        {
            "csrf_token": form.csrf,
            "new_password": "quiet-lantern-orchard",
            "confirm_password": "quiet-lantern-orchid",
        },
    )
    assert mismatch.status == 400
    done = await browser.post(
        "/support/password",
        {
            "csrf_token": form.csrf,
            "new_password": "quiet-lantern-orchard",
            "confirm_password": "quiet-lantern-orchard",
        },
    )

    assert done.status == 303 and done.response.headers["location"] == "/support"
    assert (await browser.get("/support")).status == 200
    assert browser.http.cookies["thr_staff"] != pending_cookie  # rotated
    assert StaffDirectory(settings).load(pending_cookie, pending=True) is None  # revoked
    assert not StaffDirectory(settings).must_replace_password(member.id)

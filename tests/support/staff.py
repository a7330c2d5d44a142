"""Staff members for tests: create one like ``threshold staff add`` does, and sign in."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

import pyotp

from core.settings import Settings
from store.staff import NewStaff, StaffDirectory
from tests.support.browser import Browser


@dataclass(frozen=True)
class StaffLogin:
    """A created staff member and the TOTP secret their authenticator app would hold."""

    created: NewStaff
    secret: str

    @property
    def id(self) -> str:
        return self.created.staff_id

    def code(self, steps_ahead: int = 0) -> str:
        """The code for the current 30-second step (or one of the next, still accepted)."""
        totp = pyotp.TOTP(self.secret)
        return totp.generate_otp(totp.timecode(time.time()) + steps_ahead)


def add_staff(
    settings: Settings, email: str, role: str = "support", *, replaced: bool = True
) -> StaffLogin:
    """Create a staff member; the secret is read back from the printed ``otpauth://`` URI.

    ``replaced`` (the default) also replaces the printed initial password, as the first sign-in
    must, so tests about other pages sign in straight to ``/support``.
    """
    directory = StaffDirectory(settings)
    created = directory.add(email, role)
    secret = parse_qs(urlsplit(created.otpauth_uri).query)["secret"][0]
    if replaced:
        chosen = f"staff-{secrets.token_urlsafe(12)}"
        directory.replace_password(created.staff_id, chosen)
        created = replace(created, password=chosen)
    return StaffLogin(created=created, secret=secret)


async def sign_in(browser: Browser, staff: StaffLogin, *, steps_ahead: int = 0) -> None:
    """Sign ``browser`` in at ``/support/login`` (fails the test if refused)."""
    page = await browser.get("/support/login")
    answer = await browser.post(
        "/support/login",
        {
            "csrf_token": page.csrf,
            "email": staff.created.email,
            "password": staff.created.password,
            "code": staff.code(steps_ahead),
        },
    )
    assert answer.status == 303, answer.html[:500]

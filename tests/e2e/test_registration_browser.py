"""Registration in a real browser: JavaScript on, real server, real worker, real SMTP.

The customer signs up on one device and confirms the emailed link on another; the first page must
move on by itself (server-sent events through the htmx ``sse`` extension), with no reload, no
console error and no Content-Security-Policy violation anywhere.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from temporalio.worker import Worker

from tests.support.mail import MailCatcher, code_in, link_in

PASSWORD = "correct horse battery staple"
#: Generous bounds for a failure to be reported; the live update polls the journey every second.
SCREEN_TIMEOUT_MS = 15_000

REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__thresholdCspViolation(`${e.violatedDirective} blocked ${e.blockedURI} ` +
                                 `at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@dataclass
class Problems:
    """Everything a page complained about: console errors, uncaught exceptions, CSP violations."""

    seen: list[str] = field(default_factory=list)

    async def watch(self, context: BrowserContext) -> None:
        """Record the problems of every page opened in ``context`` from now on."""
        await context.expose_function("__thresholdCspViolation", self._csp)
        await context.add_init_script(REPORT_CSP)
        context.on("page", self._page)

    def _page(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"uncaught {error!r} on {page.url}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.seen.append(f"console error: {message.text} ({message.location})")

    def _csp(self, report: str) -> None:
        self.seen.append(f"CSP violation: {report}")


async def test_register_with_link_opened_on_another_device(
    browser: Browser,
    web_server: str,
    worker: Worker,
    smtp_server: MailCatcher,
    screenshots: Path,
) -> None:
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    problems = Problems()
    laptop = await browser.new_context(base_url=web_server)
    phone = await browser.new_context(base_url=web_server)
    try:
        await problems.watch(laptop)
        await problems.watch(phone)
        page = await laptop.new_page()
        live_requests: list[str] = []
        page.on("request", lambda r: live_requests.append(r.url) if "/events?" in r.url else None)

        # Sign up: /register redirects to the journey's own URL.
        await page.goto("/register")
        await expect(page).to_have_url(re.compile(r"/j/registration/registration-[0-9a-f-]+$"))
        journey_url = page.url
        await expect(page.locator("h1")).to_have_text("Create your account")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Create account").click()

        # htmx swaps the next screen in place; the URL stays the journey's.
        await expect(page.locator("h1")).to_have_text("Check your email", timeout=SCREEN_TIMEOUT_MS)
        assert page.url == journey_url
        await page.evaluate("window.__sameDocument = true")
        await page.screenshot(path=screenshots / "check-your-email.png", full_page=True)

        message = await smtp_server.wait_for(to=email)
        assert re.fullmatch(r"\d{6}", code_in(message))
        link = link_in(message)
        assert link.startswith(f"{web_server}/j/registration/"), link

        # Another device opens the link: it needs a click, then says where to go back to.
        other = await phone.new_page()
        await other.goto(link)
        await other.get_by_role("button", name="Confirm my email").click()
        await expect(other.locator("h1")).to_have_text("Email confirmed")

        # The first device moves on by itself, in the same document.
        await expect(page.locator("h1")).to_have_text("One last step", timeout=SCREEN_TIMEOUT_MS)
        assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"
        assert live_requests, "the waiting screen never opened its event stream"

        await page.get_by_label("I accept the Terms of Service").check()
        await page.get_by_role("button", name="Accept and continue").click()
        await expect(page).to_have_url(f"{web_server}/account", timeout=SCREEN_TIMEOUT_MS)
        await expect(page.get_by_test_id("account-email")).to_have_text(email)
        await page.screenshot(path=screenshots / "account.png", full_page=True)
    finally:
        await laptop.close()
        await phone.close()

    assert problems.seen == []

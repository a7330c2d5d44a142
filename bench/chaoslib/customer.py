"""One customer: a browser (own cookies, own loopback address) walking journeys over HTTP.

The customer behaves like a patient person. A page that does not load (connection refused, a
5xx, a timeout) is tried again on another web process after a pause, as a load balancer would
route it; a journey that vanished is started again. A form that is not a journey screen (consent,
export, deletion) is re-sent only after looking whether the first one took effect, as a person
who sees the change on the page would not click again. Every such retry is counted, and the
journey's record says whether, when and after how many retries the intended outcome was reached.
Codes and links come from the caught mail.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from chaoslib.mailbox import Mail, Mailbox
from tests.support.browser import Page

REQUEST_TIMEOUT = 90.0
RETRY_PAUSE = 1.0
MAX_RETRY_PAUSE = 15.0
JOURNEY_DEADLINE = 1200.0  # a slow journey on a saturated machine is not a lost one
MAIL_TIMEOUT = 600.0
CHECK_EFFECT_FOR = 20.0
MAX_RESTARTS = 4
MAX_SCREENS = 60
STALE_PAUSE = 3.0
JOURNEY_PATH = re.compile(r"^/j/([a-z-]+)/([^/?]+)$")
GRANTED = re.compile(r'data-purpose="([a-z_]+)" data-granted="(yes|no)"')
SUBJECTS = {
    "verify": "Your Threshold code",
    "already": "You already have a Threshold account",
    "login_code": "Your Threshold sign-in code",
    "recovery": "Reset your Threshold password",
    "export": "Your Threshold data export is ready",
    "scheduled": "Your Threshold account will be deleted",
    "deleted": "Your Threshold account has been deleted",
}
PROFILING_SCREENS = frozenset({"about-you", "contact-details", "preferences"})
CONSENT_PURPOSE = "analytics"


class GaveUp(Exception):
    """The customer stopped trying: the journey's intended outcome did not happen."""


class Restart(Exception):
    """The journey is gone (or was taken over): start it again from its first page."""


@dataclass
class JourneyRecord:
    """What one journey of one customer did, for the table and the end checks."""

    kind: str
    email: str
    started: float
    ended: float = 0.0
    completed: bool = False
    retries: int = 0
    submissions: int = 0
    step_up: bool = False
    journey_ids: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def seconds(self) -> float:
        """Time to complete, as the customer waited it."""
        return self.ended - self.started


@dataclass
class Secrets:
    """Everything secret the customers typed or received, for the scan of the histories."""

    values: set[str] = field(default_factory=set)


class Customer:
    """One person with an email, a password and a plan of journeys."""

    def __init__(
        self,
        *,
        email: str,
        password: str,
        new_password: str,
        plan: list[str],
        ports: list[int],
        address: str,
        user_agents: tuple[str, str],
        mailbox: Mailbox,
        secrets: Secrets,
        clock: Callable[[], float],
        new_device: Callable[[], bool],
    ) -> None:
        self.email = email
        self.password = password
        self.new_password = new_password
        self.plan = plan
        self.ports = ports
        self.port = 0
        self.user_agents = user_agents
        self.mailbox = mailbox
        self.secrets = secrets
        self.clock = clock
        self.new_device = new_device
        self.records: list[JourneyRecord] = []
        self.registration_ids: list[str] = []
        self.abandoned: list[str] = []
        self.deleted = False
        self.doing = "arriving"
        self.address = address
        self.http = self.browser(user_agents[0])
        secrets.values.update({password, new_password})

    def browser(self, user_agent: str) -> httpx.AsyncClient:
        """A browser profile: its own cookie jar, the customer's loopback address."""
        return httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(local_address=self.address),
            follow_redirects=False,
            timeout=REQUEST_TIMEOUT,
            headers={"user-agent": user_agent},
        )

    # ----- the plan ----------------------------------------------------------------------

    async def live(self) -> None:
        """Walk the plan; a journey that fails ends the customer's day (later ones need it)."""
        steps: dict[str, Callable[[JourneyRecord], Awaitable[None]]] = {
            "registration": self.register,
            "login": self.sign_in,
            "recovery": self.recover,
            "consent": self.change_consent,
            "export": self.export,
            "deletion": self.delete,
        }
        try:
            for kind in self.plan:
                if not await self.run(kind, steps[kind]):
                    return
        finally:
            self.doing = "done"
            await self.http.aclose()

    async def run(self, kind: str, step: Callable[[JourneyRecord], Awaitable[None]]) -> bool:
        """Time one journey to its outcome, or record why the customer gave up."""
        record = JourneyRecord(kind=kind, email=self.email, started=self.clock())
        self.records.append(record)
        try:
            async with asyncio.timeout(JOURNEY_DEADLINE):
                await step(record)
        except Exception as exc:  # the customer gives up; the verdict names the cause
            record.error = f"{type(exc).__name__}: {exc}"[:300]
            record.ended = self.clock()
            return False
        record.completed = True
        record.ended = self.clock()
        return True

    # ----- HTTP with retries -------------------------------------------------------------

    def url(self, path: str) -> str:
        """``path`` on the web process this customer currently uses."""
        return f"http://127.0.0.1:{self.ports[self.port % len(self.ports)]}{path}"

    async def request(
        self,
        record: JourneyRecord,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        *,
        resend: bool = True,
    ) -> Page | None:
        """One page; retried on another web process after a failure (None: failed, no resend)."""
        self.doing = f"{record.kind}: {method} {path.split('?')[0]}"
        failures = 0
        while True:
            try:
                response = await self.http.request(method, self.url(path), data=data)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code < 500:
                self.keep_cookie(response)
                return Page(response)
            record.retries += 1
            self.port += 1
            failures += 1
            # Like a person, wait longer after each failure (and keep a saturated stack from a
            # retry storm): 1, 2, 4, … up to 15 s.
            await asyncio.sleep(min(RETRY_PAUSE * 2 ** (failures - 1), MAX_RETRY_PAUSE))
            if not resend:
                return None

    def keep_cookie(self, response: httpx.Response) -> None:
        """Session cookies are secrets too: the scan looks for them in every history."""
        for name, value in response.cookies.items():
            if "session" in name:
                self.secrets.values.add(value)

    async def get(self, record: JourneyRecord, path: str) -> Page:
        """A GET (always safe to repeat)."""
        page = await self.request(record, "GET", path)
        assert page is not None
        return page

    # ----- the generic journey walk ------------------------------------------------------

    async def walk(
        self,
        record: JourneyRecord,
        start: str,
        answer: Callable[[str, Page], Awaitable[dict[str, str]]],
    ) -> str:
        """Open a journey and answer its screens until it redirects away; returns where to."""
        for _ in range(MAX_RESTARTS):
            try:
                return await self._walk_once(record, start, answer)
            except Restart:
                record.retries += 1
        raise GaveUp(f"{record.kind}: restarted {MAX_RESTARTS} times")

    async def _walk_once(
        self,
        record: JourneyRecord,
        start: str,
        answer: Callable[[str, Page], Awaitable[dict[str, str]]],
    ) -> str:
        page = await self.get(record, start)
        while page.status == 303:
            location = page.response.headers["location"]
            if not location.startswith("/j/"):
                return location
            page = await self.get(record, location)
        path = page.response.url.path
        found = JOURNEY_PATH.match(path)
        if page.status != 200 or not found:
            raise Restart
        record.journey_ids.append(found.group(2))
        for _ in range(MAX_SCREENS):
            if page.status == 303:
                location = page.response.headers["location"]
                if location != path:
                    return location
                page = await self.get(record, path)
                continue
            if page.status in (403, 404, 410):  # gone, or no longer bound to this browser
                raise Restart
            if page.status == 409:
                # "Out of date": an earlier post of this screen (whose answer a fault lost) is
                # still being processed. A person reloads a moment later instead of re-sending.
                await asyncio.sleep(STALE_PAUSE)
                page = await self.get(record, path)
                continue
            screen = page.screen
            if screen is None:
                raise GaveUp(f"{record.kind}: no screen ({page.status}) at {path}")
            self.doing = f"{record.kind}: {screen}"
            values = await answer(screen, page)
            posted = await self.request(record, "POST", path, page.form(**values))
            assert posted is not None
            page = posted
        raise GaveUp(f"{record.kind}: more than {MAX_SCREENS} screens")

    async def code(self, record: JourneyRecord, kind: str, before: int, used: set[str]) -> str:
        """The newest code of ``kind`` mailed since ``before``, not tried yet."""
        deadline = time.monotonic() + MAIL_TIMEOUT
        while time.monotonic() < deadline:
            mails = self.mailbox.matching(self.email, SUBJECTS[kind])[before:]
            fresh = [m.code() for m in reversed(mails) if m.code() not in used]
            if fresh:
                used.add(fresh[0])
                self.secrets.values.add(fresh[0])
                return fresh[0]
            if kind == "verify" and self.mailbox.count(self.email, SUBJECTS["already"]):
                raise AlreadyRegistered
            await asyncio.sleep(0.2)
        raise GaveUp(f"{record.kind}: no {kind} mail within {MAIL_TIMEOUT:.0f}s")

    async def mail(self, record: JourneyRecord, kind: str, before: int) -> Mail:
        """The next mail of ``kind`` after the ``before`` already received."""
        self.doing = f"{record.kind}: waiting for the {kind} mail"
        try:
            return await self.mailbox.next(self.email, SUBJECTS[kind], before, MAIL_TIMEOUT)
        except TimeoutError:
            raise GaveUp(f"{record.kind}: no {kind} mail within {MAIL_TIMEOUT:.0f}s") from None

    # ----- journeys ----------------------------------------------------------------------

    async def register(self, record: JourneyRecord) -> None:
        """Sign up, type the emailed code, accept the terms: signed in on /account."""
        before = self.mailbox.count(self.email, SUBJECTS["verify"])
        used: set[str] = set()

        async def answer(screen: str, page: Page) -> dict[str, str]:
            if screen == "sign-up":
                return {"email": self.email, "password": self.password}
            if screen == "check-your-email":
                return {"code": await self.code(record, "verify", before, used)}
            if screen == "accept-terms":
                return {"terms": "on"}
            raise GaveUp(f"registration: unexpected screen {screen}")

        try:
            location = await self.walk(record, "/register", answer)
        except AlreadyRegistered:
            # An earlier attempt created the account but its answer was lost with a killed
            # process: the outcome happened once; this journey waits for a code on purpose.
            self.registration_ids.extend(record.journey_ids)
            self.abandoned.append(record.journey_ids[-1])
            return
        self.registration_ids.extend(record.journey_ids)
        if location != "/account":
            raise GaveUp(f"registration ended at {location}")

    async def sign_in(self, record: JourneyRecord, password: str | None = None) -> None:
        """Email and password; an emailed code when the risk asks for one; skip profiling."""
        before = self.mailbox.count(self.email, SUBJECTS["login_code"])
        used: set[str] = set()
        if self.new_device():  # from now on the customer uses another browser, no cookies
            await self.http.aclose()
            self.http = self.browser(self.user_agents[len(self.records) % 2])

        tries: list[str] = []

        async def answer(screen: str, page: Page) -> dict[str, str]:
            if screen == "sign-in":
                tries.append(screen)
                if len(tries) > 2:  # shown again after the credentials: refused
                    raise GaveUp(f"sign-in refused: {page.errors}")
                return {"email": self.email, "password": password or self.password}
            if screen == "enter-email-code":
                record.step_up = True
                return {"code": await self.code(record, "login_code", before, used)}
            if screen in PROFILING_SCREENS:
                return {"action": "skip"}
            if screen == "accept-terms":
                return {"terms": "on"}
            raise GaveUp(f"login: unexpected screen {screen}")

        location = await self.walk(record, "/login", answer)
        if location != "/account":
            raise GaveUp(f"login ended at {location}")

    async def signed_in(self, record: JourneyRecord) -> None:
        """Make sure this browser has a fresh session (sign in as its own login journey)."""
        page = await self.get(record, "/account")
        if page.status == 200 and record.kind not in ("export", "deletion"):
            return
        await self.run("login", self.sign_in)
        if not self.records[-1].completed:
            raise GaveUp(f"{record.kind}: could not sign in first")

    async def recover(self, record: JourneyRecord) -> None:
        """Forgot password, emailed code, new password; then sign in with it."""
        before = self.mailbox.count(self.email, SUBJECTS["recovery"])
        used: set[str] = set()

        async def answer(screen: str, page: Page) -> dict[str, str]:
            if screen == "forgot-password":
                return {"email": self.email}
            if screen == "check-your-email":
                return {"code": await self.code(record, "recovery", before, used)}
            if screen == "new-password":
                return {"password": self.new_password}
            raise GaveUp(f"recovery: unexpected screen {screen}")

        location = await self.walk(record, "/j/recovery", answer)
        if not location.startswith("/login"):
            raise GaveUp(f"recovery ended at {location}")
        self.password = self.new_password
        if not await self.run("login", self.sign_in):  # the recovered password must work
            raise GaveUp("the new password does not sign in")

    async def change_consent(self, record: JourneyRecord) -> None:
        """Flip the analytics consent; look at the page before sending the form again."""
        await self.signed_in(record)
        page = await self.get(record, "/account/consents")
        before = self.granted(page)
        decision = "withdraw" if before else "grant"
        form = {"csrf_token": page.csrf, "purpose": CONSENT_PURPOSE, "decision": decision}
        while True:
            record.submissions += 1
            posted = await self.request(record, "POST", "/account/consents", form, resend=False)
            if posted is not None and posted.status == 303:
                break
            if posted is not None:
                raise GaveUp(f"consent change answered {posted.status}")
            if await self.took_effect(record, lambda p: self.granted(p) != before):
                break
        page = await self.get(record, "/account/consents")
        if self.granted(page) == before:
            raise GaveUp("consent change did not show on the page")

    async def took_effect(self, record: JourneyRecord, changed: Callable[[Page], bool]) -> bool:
        """Look at the consents page for a while: did the form that failed go through?"""
        deadline = time.monotonic() + CHECK_EFFECT_FOR
        while time.monotonic() < deadline:
            if changed(await self.get(record, "/account/consents")):
                return True
            await asyncio.sleep(1)
        return False

    @staticmethod
    def granted(page: Page) -> bool:
        """Whether the consents page shows the purpose granted."""
        states: dict[str, str] = dict(GRANTED.findall(page.html))
        if CONSENT_PURPOSE not in states:
            raise GaveUp(f"consents page without {CONSENT_PURPOSE} ({page.status})")
        return states[CONSENT_PURPOSE] == "yes"

    async def export(self, record: JourneyRecord) -> None:
        """Ask for a copy; download it once with the emailed link."""
        await self.signed_in(record)
        before = self.mailbox.count(self.email, SUBJECTS["export"])
        while True:
            page = await self.get(record, "/account/export")
            if page.status != 200:
                raise GaveUp(f"export page answered {page.status}")
            record.submissions += 1
            form = {"csrf_token": page.csrf}
            posted = await self.request(record, "POST", "/account/export", form, resend=False)
            if posted is not None and posted.status != 200:
                raise GaveUp(f"export request answered {posted.status}")
            try:
                mail = await self.mailbox.next(
                    self.email, SUBJECTS["export"], before, MAIL_TIMEOUT if posted else 30
                )
                break
            except TimeoutError:
                if posted is not None:
                    raise GaveUp("no export mail") from None
                record.retries += 1
        path = mail.path_containing("/account/export/")
        self.secrets.values.add(path.split("token=")[-1])
        download = await self.get(record, path)
        if download.status != 200 or self.email not in download.html:
            raise GaveUp(f"export download answered {download.status}")

    async def delete(self, record: JourneyRecord) -> None:
        """Confirm the deletion; wait out the short grace until the erasure mail."""
        await self.signed_in(record)
        scheduled = self.mailbox.count(self.email, SUBJECTS["scheduled"])
        while True:
            page = await self.get(record, "/account/delete")
            if page.status == 303:  # signed out: the deletion started after all
                break
            record.submissions += 1
            form = {"csrf_token": page.csrf, "confirm": "on"}
            posted = await self.request(record, "POST", "/account/delete", form, resend=False)
            if posted is not None:
                if posted.status != 200:
                    raise GaveUp(f"deletion answered {posted.status}")
                break
            try:
                await self.mailbox.next(self.email, SUBJECTS["scheduled"], scheduled, 30)
                break
            except TimeoutError:
                record.retries += 1
        notice = await self.mail(record, "scheduled", scheduled)
        self.secrets.values.add(notice.path_containing("token=").split("token=")[-1])
        await self.mail(record, "deleted", 0)
        self.deleted = True


class AlreadyRegistered(Exception):
    """Registration mailed "you already have an account": an earlier attempt succeeded."""

"""Finding 5 over the real web app: an attacker cannot lock a customer out of their own browser.

The browser's device cookie is the proof (OWASP device-cookie lockout): after it signed in once,
parallel wrong passwords from elsewhere block unknown devices only.
"""

from __future__ import annotations

import asyncio

from store.throttle import ACCOUNT, Throttle
from tests.support.store import register_customer, unique_email
from tests.web.test_login import PASSWORD, Stack, allow, sign_in
from workers.activities.login import WRONG

__all__ = ["allow"]  # the fixture, shared with the login tests

ATTACKER_IP = "203.0.113.66"
OWNER_IP = "198.51.100.5"


async def test_parallel_guesses_elsewhere_do_not_lock_the_owners_browser(allow: Stack) -> None:
    email = unique_email("victim")
    register_customer(allow.settings, email, PASSWORD)
    async with allow.browser(ip=OWNER_IP) as owner:
        assert (await sign_in(owner, email, PASSWORD)).response.headers["location"] == "/account"

        async def guess(i: int) -> list[str]:
            async with allow.browser(ip=ATTACKER_IP) as attacker:
                return (await attacker.follow(await sign_in(attacker, email, f"guess-{i}"))).errors

        answers = await asyncio.gather(*(guess(i) for i in range(20)))
        assert sum(WRONG in a for a in answers) == ACCOUNT.free_failures
        async with allow.browser(ip=OWNER_IP) as new_browser:
            refused = await new_browser.follow(await sign_in(new_browser, email, PASSWORD))
            assert any(e.startswith("Too many attempts") for e in refused.errors)

        again = await sign_in(owner, email, PASSWORD)

        assert again.status == 303 and again.response.headers["location"] == "/account"
    # The victim's refused try from a new browser cost their own address nothing.
    assert Throttle(allow.settings.database_url).failures(f"acct-ip:{OWNER_IP}") == 0

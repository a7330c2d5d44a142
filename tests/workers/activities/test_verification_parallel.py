"""Emailed codes under parallel guesses, on SQLite and PostgreSQL: each check takes its own
attempt number by compare-and-set, so 20 parallel wrong codes are checked exactly five times, and
20 parallel sends for one address mail exactly the shared limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from core.settings import Settings
from store.mail_limits import PER_ADDRESS
from store.models import Verification
from tests.support.mail import MailCatcher, code_in
from tests.support.store import one
from tests.workers.activities.test_verification import Flow, wrong
from workers.activities.verification import VerificationActivitiesImpl


async def test_twenty_parallel_wrong_codes_are_checked_exactly_five_times(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    code = code_in(await smtp_server.wait_for(to=flow.email))

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: flow.check_code(wrong(code)), range(20)))

    checked = [r for r in results if r.reason == "wrong"]
    assert len(checked) == VerificationActivitiesImpl.MAX_ATTEMPTS - 1
    assert sorted(r.attempts_left for r in checked) == [1, 2, 3, 4]
    assert sum(r.reason == "exhausted" for r in results) == 20 - len(checked)
    assert one(db_settings, Verification, journey_id=flow.journey_id).attempts == 5
    assert flow.check_code(code).reason == "exhausted"


async def test_twenty_parallel_sends_to_one_address_mail_exactly_the_limit(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)

    with ThreadPoolExecutor(20) as pool:
        sent = list(pool.map(lambda i: flow.send(f"v-{i}"), range(20)))

    assert sum(s.retry_after_seconds == 0 for s in sent) == PER_ADDRESS.free_failures
    await smtp_server.wait_for(to=flow.email, count=PER_ADDRESS.free_failures)
    assert len(smtp_server.messages_to(flow.email)) == PER_ADDRESS.free_failures

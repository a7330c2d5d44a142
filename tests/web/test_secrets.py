"""Secrets never rest in the clear: scan every history (decoded), every table and the logs."""

from __future__ import annotations

import logging
import uuid

import pytest
from temporalio.client import Client

from core.settings import Settings
from tests.support.browser import Browser, sign_up
from tests.support.mail import MailCatcher, code_in, token_in
from tests.support.secrets import history_texts, occurs, payloads_in, table_texts

# The scan lives in tests/support/secrets.py; other secrets tests still import it from here.
__all__ = ["occurs", "payloads_in", "table_texts"]


async def test_no_secret_in_histories_tables_or_logs(
    browser: Browser,
    other_browser: Browser,
    smtp_server: MailCatcher,
    client: Client,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = f"pw-{uuid.uuid4().hex}"
    email = f"secret-{uuid.uuid4().hex[:8]}@example.com"

    url, page = await sign_up(browser, email, password)
    first = await smtp_server.wait_for(to=email)
    code, token = code_in(first), token_in(first)
    wrong = "000000" if code != "000000" else "111111"
    page = await browser.follow(await browser.post(url, page.form(code=wrong)))
    assert page.errors, "the wrong code should have been refused"

    link = f"{url}/link"
    confirm = await other_browser.get(f"{link}?token={token}")
    confirmed = await other_browser.post(link, {"csrf_token": confirm.csrf, "token": token})
    assert confirmed.status == 200
    page = await browser.get(url)
    done = await browser.post(url, page.form(terms="on"))
    assert done.status == 303
    session_id = browser.http.cookies.get("thr_session")
    assert session_id

    secrets = {"password": password, "code": code, "link token": token, "session id": session_id}
    query = "JourneyName = 'registration'"
    histories = await history_texts(client, settings.codec_keyring, query, metadata=True)
    tables = table_texts(settings)
    # aiosmtpd ("mail.log") plays the customer's mail provider and httpx the customer's browser;
    # everything else logged in this process is Threshold's (web, workers, Temporal SDK).
    outsiders = ("mail.log", "httpx")
    logs = [
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith(outsiders)
    ]
    assert len(histories) > 10 and len(tables) > 10 and len(logs) > 10, "nothing to scan"
    assert any(email in h for h in histories), "decoding must work, or the scan proves nothing"

    for name, secret in secrets.items():
        assert not occurs(secret, histories), f"{name} found in a workflow history"
        assert not occurs(secret, tables), f"{name} found in the database"
        assert not occurs(secret, logs), f"{name} found in the logs"

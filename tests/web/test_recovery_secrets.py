"""Recovery secrets never rest in the clear: the approach of ``test_secrets`` for account recovery.

Over HTTP a customer with an authenticator app recovers twice: once typing the emailed code, once
opening the emailed link on another device, each time with a TOTP code and a new password. Then
every recovery history (raw and decoded), every table cell and every log record is scanned for the
codes, the link tokens, the TOTP codes and the new passwords.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.settings import Settings
from store.models import utcnow
from tests.support.browser import Browser
from tests.support.login import enrol_totp
from tests.support.mail import MailCatcher, code_in, link_in, token_in
from tests.support.recovery import PASSWORD
from tests.support.store import register_customer, unique_email
from tests.web.test_secrets import occurs, payloads_in, table_texts

NEW_PASSWORDS = ("copper-lantern-meadow", "saffron-kettle-horizon")


async def recovery_history_texts(client: Client, settings: Settings) -> list[str]:
    """Each recovery history of this test's task queue, raw and with every payload decoded."""
    codec = EncryptionCodec(settings.codec_keyring)
    texts: list[str] = []
    query = f"JourneyName = 'recovery' AND TaskQueue = '{settings.task_queue}'"
    async for execution in client.list_workflows(query):
        history = await client.get_workflow_handle(execution.id).fetch_history()
        texts.append(history.to_json())
        for event in history.events:
            for payload in payloads_in(event):
                [decoded] = await codec.decode([payload])
                texts.append(decoded.data.decode("utf-8", "replace"))
    return texts


async def test_no_recovery_secret_in_histories_tables_or_logs(
    browser: Browser,
    other_browser: Browser,
    settings: Settings,
    client: Client,
    smtp_server: MailCatcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email = unique_email("recovery-secrets")
    customer_id = register_customer(settings, email, PASSWORD)
    app = enrol_totp(settings, customer_id)
    secrets: dict[str, str] = {}

    for n, new_password in enumerate(NEW_PASSWORDS):
        url, page = await browser.open_journey("/recover")
        page = await browser.follow(await browser.post(url, page.form(email=email)))
        assert page.screen == "check-your-email"
        message = await smtp_server.wait_for(to=email, count=2 * n + 1)
        secrets[f"code {n}"], secrets[f"token {n}"] = code_in(message), token_in(message)
        if n == 0:
            page = await browser.follow(await browser.post(url, page.form(code=code_in(message))))
        else:
            path = link_in(message).removeprefix(settings.base_url)
            opened = await other_browser.get(path)
            token = re.search(r'name="token" value="([^"]+)"', opened.html)
            assert token is not None
            form = {"csrf_token": opened.csrf, "token": token.group(1)}
            assert (await other_browser.post(path.split("?")[0], form)).status == 200
            page = await browser.get(url)
        assert page.screen == "enter-authenticator-code"
        totp = app.at(utcnow() + timedelta(seconds=30 * n))  # each code is accepted once
        secrets[f"TOTP code {n}"] = totp
        page = await browser.follow(await browser.post(url, page.form(code=totp)))
        assert page.screen == "new-password", page.errors
        done = await browser.post(url, page.form(password=new_password))
        assert done.status == 303 and done.response.headers["location"] == "/login"
        secrets[f"new password {n}"] = new_password

    histories = await recovery_history_texts(client, settings)
    tables = table_texts(settings)
    outsiders = ("mail.log", "httpx")  # the SMTP catcher and the test's own HTTP client
    logs = [
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith(outsiders)
    ]
    assert len(histories) > 20 and len(tables) > 20 and len(logs) > 5, "nothing to scan"
    assert any(email in h for h in histories), "decoding must work, or the scan proves nothing"
    for name, secret in secrets.items():
        assert not occurs(secret, histories), f"{name} found in a workflow history"
        assert not occurs(secret, tables), f"{name} found in the database"
        assert not occurs(secret, logs), f"{name} found in the logs"

"""Sign-in secrets never rest in the clear: the approach of ``test_secrets`` for login and factors.

A customer signs in with an emailed code, enrols an authenticator app, creates recovery codes,
signs in again with a replayed TOTP code (refused) and a recovery code. Then every login history
(raw and decoded), every table cell and every log record is scanned for the password, the TOTP
seed, the TOTP code, every recovery code, the emailed code and the session ids.
"""

from __future__ import annotations

import logging
import re

import pyotp
import pytest
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.settings import Settings
from tests.conftest import MakeSettings
from tests.support.login import code_now
from tests.support.mail import MailCatcher, code_in
from tests.support.store import register_customer, unique_email
from tests.web.test_login import PASSWORD, sign_in, stack_for
from tests.web.test_secrets import occurs, payloads_in, table_texts


async def login_history_texts(client: Client, settings: Settings) -> list[str]:
    """Each login history of this test's task queue, raw and with every payload decoded."""
    codec = EncryptionCodec(settings.codec_keyring)
    texts: list[str] = []
    query = f"JourneyName = 'login' AND TaskQueue = '{settings.task_queue}'"
    async for execution in client.list_workflows(query):
        history = await client.get_workflow_handle(execution.id).fetch_history()
        texts.append(history.to_json())
        for event in history.events:
            for payload in payloads_in(event):
                [decoded] = await codec.decode([payload])
                texts.append(decoded.data.decode("utf-8", "replace"))
    return texts


async def test_no_sign_in_secret_in_histories_tables_or_logs(
    make_settings: MakeSettings,
    sqlite_url: str,
    client: Client,
    smtp_server: MailCatcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email = unique_email("login-secrets")
    async with stack_for(make_settings, sqlite_url, client, "step_up") as stack:
        register_customer(stack.settings, email, PASSWORD)
        async with stack.browser() as browser:
            posted = await sign_in(browser, email, PASSWORD)
            page = await browser.follow(posted)
            assert page.screen == "enter-email-code"
            mailed = code_in(await smtp_server.wait_for(to=email))
            done = await browser.post(str(page.response.url.path), page.form(code=mailed))
            assert done.status == 303
            first_session = browser.http.cookies.get("thr_session")

            page = await browser.get("/account/security")
            totp = await browser.follow(
                await browser.post("/account/totp/begin", {"csrf_token": page.csrf})
            )
            found = re.search(r'data-testid="totp-key">([A-Z2-7]+)<', totp.html)
            assert found is not None
            seed = found.group(1)
            totp_code = code_now(pyotp.TOTP(seed))
            on = await browser.post(
                "/account/totp/confirm", {"csrf_token": totp.csrf, "code": totp_code}
            )
            assert on.status == 303
            page = await browser.follow(on)
            shown = await browser.post("/account/recovery-codes", {"csrf_token": page.csrf})
            codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.html)
            assert len(codes) == 10

        async with stack.browser() as browser:
            posted = await sign_in(browser, email, PASSWORD)
            page = await browser.follow(posted)
            assert page.screen == "choose-factor"
            # Only the customer's own factors (no emailed code: TOTP is enrolled).
            assert re.findall(r'<option value="(\w+)"', page.html) == ["totp", "recovery_code"]
            url = str(page.response.url.path)
            page = await browser.follow(await browser.post(url, page.form(factor="totp")))
            page = await browser.follow(await browser.post(url, page.form(code=totp_code)))
            assert "already used" in " ".join(page.errors)  # the replayed code was refused
            page = await browser.follow(await browser.post(url, page.form(action="other")))
            page = await browser.follow(await browser.post(url, page.form(factor="recovery_code")))
            done = await browser.post(url, page.form(code=codes[0]))
            assert done.status == 303 and done.response.headers["location"] == "/account"
            second_session = browser.http.cookies.get("thr_session")

        histories = await login_history_texts(client, stack.settings)
        tables = table_texts(stack.settings)

    outsiders = ("mail.log", "httpx")
    logs = [
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith(outsiders)
    ]
    assert len(histories) > 20 and len(tables) > 20 and len(logs) > 5, "nothing to scan"
    assert any(email in h for h in histories), "decoding must work, or the scan proves nothing"
    assert first_session and second_session
    secrets = {
        "password": PASSWORD,
        "TOTP seed": seed,
        "TOTP code": totp_code,
        "emailed code": mailed,
        "first session id": first_session,
        "second session id": second_session,
    }
    for i, code in enumerate(codes):
        secrets[f"recovery code {i}"] = code
        secrets[f"recovery code {i} (typed form)"] = code.replace("-", "")
    for name, secret in secrets.items():
        assert not occurs(secret, histories), f"{name} found in a workflow history"
        assert not occurs(secret, tables), f"{name} found in the database"
        assert not occurs(secret, logs), f"{name} found in the logs"

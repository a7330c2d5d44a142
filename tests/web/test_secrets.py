"""Secrets never rest in the clear: scan every history (decoded), every table and the logs."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

import pytest
from google.protobuf.message import Message
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.settings import Settings
from store.db import engine_for
from tests.support.browser import Browser, sign_up
from tests.support.mail import MailCatcher, code_in, token_in


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every Payload nested anywhere in a protobuf message (fields, lists and maps)."""
    for descriptor, value in message.ListFields():
        if descriptor.type != descriptor.TYPE_MESSAGE:
            continue
        if descriptor.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif isinstance(value, Message):
            items = [value]
        else:
            items = list(value)  # a repeated field
        for item in items:
            if isinstance(item, Payload):
                yield item
            if isinstance(item, Message):
                yield from payloads_in(item)


async def history_texts(client: Client, settings: Settings) -> list[str]:
    """Each registration history twice: as stored (encrypted) and with every payload decoded."""
    codec = EncryptionCodec(settings.codec_keyring)
    texts: list[str] = []
    async for execution in client.list_workflows("JourneyName = 'registration'"):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = await handle.fetch_history()
        texts.append(history.to_json())
        for event in history.events:
            for payload in payloads_in(event):
                [decoded] = await codec.decode([payload])
                texts.append(decoded.data.decode("utf-8", "replace"))
                texts.extend(str(v) for v in decoded.metadata.values())
    return texts


def table_texts(settings: Settings) -> list[str]:
    """Every cell of every table of the system of record."""
    texts: list[str] = []
    with Session(engine_for(settings.database_url)) as db:
        for table in SQLModel.metadata.sorted_tables:
            for row in db.execute(sa_select(table)).all():
                texts.extend(str(cell) for cell in row)
    return texts


def occurs(secret: str, texts: list[str]) -> bool:
    """Whether ``secret`` appears; digits-only secrets must stand alone (not inside a number)."""
    if secret.isdigit():
        pattern = re.compile(rf"(?<![\d.]){re.escape(secret)}(?!\d)")
        return any(pattern.search(t) for t in texts)
    return any(secret in t for t in texts)


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
    histories = await history_texts(client, settings)
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

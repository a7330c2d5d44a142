"""The invitation link token, the chosen password and the session id never rest in the clear."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.settings import Settings
from tests.scim.test_invitation import (
    PASSWORD,
    accept_invitation,
    invitation_link,
    provision,
    waiting_for_link,
)
from tests.support.browser import browser_for
from tests.support.mail import MailCatcher
from tests.support.store import unique_email
from tests.web.test_secrets import occurs, payloads_in, table_texts


async def invitation_history_texts(
    client: Client, settings: Settings, journey_id: str
) -> list[str]:
    """The invitation's history as stored (encrypted) and with every payload decoded."""
    codec = EncryptionCodec(settings.codec_keyring)
    history = await client.get_workflow_handle(journey_id).fetch_history()
    texts = [history.to_json()]
    for event in history.events:
        for payload in payloads_in(event):
            [decoded] = await codec.decode([payload])
            texts.append(decoded.data.decode("utf-8", "replace"))
    return texts


async def test_no_invitation_secret_in_history_tables_or_logs(
    scim: httpx.AsyncClient,
    scim_app: FastAPI,
    smtp_server: MailCatcher,
    scim_settings: Settings,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email = unique_email("invited-secrets")
    customer_id = await provision(scim, email)
    link = invitation_link(await smtp_server.wait_for(to=email))
    token = parse_qs(urlsplit(link).query)["token"][0]
    await waiting_for_link(client, customer_id)
    async with browser_for(scim_app) as browser:
        await accept_invitation(browser, link)
        session_id = browser.http.cookies.get("thr_session")
    assert session_id

    histories = await invitation_history_texts(client, scim_settings, f"invitation-{customer_id}")
    tables = table_texts(scim_settings)
    outsiders = ("mail.log", "httpx")  # the customer's mail provider and browser
    logs = [
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith(outsiders)
    ]
    assert any('"customer_id"' in h for h in histories), "decoding must work"
    assert len(tables) > 10 and len(logs) > 10, "nothing to scan"

    for name, secret in {"token": token, "password": PASSWORD, "session id": session_id}.items():
        assert not occurs(secret, histories), f"{name} found in the invitation history"
        assert not occurs(secret, tables), f"{name} found in the database"
        assert not occurs(secret, logs), f"{name} found in the logs"

"""Crashes lose nothing: SIGKILL the worker or the web process mid-registration, then finish.

The worker and the web app run here as real ``threshold worker`` / ``threshold web`` processes,
configured only through ``THRESHOLD_*`` variables, exactly as in production.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.worker import Worker

from core.settings import Settings
from store.db import engine_for
from store.models import ConsentRecord, Credential, Customer
from tests.support.browser import browser_for, sign_up
from tests.support.mail import MailCatcher, code_in
from tests.support.net import free_port
from web.app import create_app

PASSWORD = "crash test dummy passphrase"
THRESHOLD = str(Path(sys.executable).with_name("threshold"))


def environment_for(settings: Settings) -> dict[str, str]:
    """The ``THRESHOLD_*`` variables that make a child process use exactly ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THRESHOLD_")}
    for name, value in settings.model_dump().items():
        if value is not None:  # unset optional settings stay unset (not the string "None")
            env[f"THRESHOLD_{name.upper()}"] = str(value)
    return env


@contextmanager
def process(*args: str, settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A child process that is always reaped, even when the test fails."""
    child = subprocess.Popen([THRESHOLD, *args], env=environment_for(settings))
    try:
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def kill(child: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no cleanup, no graceful shutdown, like a lost machine."""
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)


@asynccontextmanager
async def web_process(settings: Settings, port: int) -> AsyncIterator[subprocess.Popen[bytes]]:
    """``threshold web`` on ``port``, once ``/healthz`` answers."""
    with process("web", "--port", str(port), settings=settings) as child:
        async with httpx.AsyncClient() as http, asyncio.timeout(60):
            while True:
                assert child.poll() is None, "the web process died on start"
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        yield child


def assert_exactly_one_customer(settings: Settings, email: str) -> None:
    with Session(engine_for(settings.database_url)) as db:
        customers = db.exec(select(Customer).where(Customer.email == email)).all()
        assert len(customers) == 1
        customer_id = customers[0].id
        credentials = db.exec(select(Credential).where(Credential.customer_id == customer_id))
        assert len(credentials.all()) == 1
        consents = db.exec(select(ConsentRecord).where(ConsentRecord.customer_id == customer_id))
        assert len(consents.all()) == 1


async def test_worker_killed_while_waiting_for_the_code(
    client: Client, smtp_server: MailCatcher, settings: Settings
) -> None:
    email = f"crash-worker-{uuid.uuid4().hex[:8]}@example.com"
    app = create_app(settings, client=client)
    async with browser_for(app) as browser:
        with process("worker", settings=settings) as first_worker:
            url, page = await sign_up(browser, email, PASSWORD)
            code = code_in(await smtp_server.wait_for(to=email, timeout=30))
            kill(first_worker)

        pending = asyncio.create_task(browser.post(url, page.form(code=code)))
        await asyncio.sleep(1)
        assert not pending.done(), "with no worker alive the code cannot have been checked"
        with process("worker", settings=settings):
            posted = await asyncio.wait_for(pending, timeout=60)
            assert posted.status == 303
            page = await browser.get(url)
            assert page.screen == "accept-terms"
            done = await browser.post(url, page.form(terms="on"))
            assert done.status == 303 and done.response.headers["location"] == "/account"
    assert_exactly_one_customer(settings, email)


async def test_web_killed_mid_journey(
    smtp_server: MailCatcher, settings: Settings, worker: Worker
) -> None:
    port = free_port()
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    email = f"crash-web-{uuid.uuid4().hex[:8]}@example.com"
    async with browser_for(base_url=f"http://127.0.0.1:{port}") as browser:
        async with web_process(settings, port) as first_web:
            url, page = await sign_up(browser, email, PASSWORD)
            kill(first_web)
        code = code_in(await smtp_server.wait_for(to=email, timeout=30))
        async with web_process(settings, port):
            posted = await browser.post(url, page.form(code=code))
            assert posted.status == 303
            page = await browser.get(url)
            assert page.screen == "accept-terms"
            done = await browser.post(url, page.form(terms="on"))
            assert done.status == 303 and done.response.headers["location"] == "/account"
            account = await browser.get("/account")
            assert account.status == 200 and email in account.html
    assert_exactly_one_customer(settings, email)

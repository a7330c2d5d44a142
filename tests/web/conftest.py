"""Fixtures for web tests: the real app in-process, wired to the session's Temporal and a worker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.worker import Worker

from core.settings import Settings
from tests.support.browser import Browser, browser_for
from web.app import create_app


@pytest.fixture
def app(settings: Settings, client: Client, worker: Worker) -> FastAPI:
    """The web app for this test's settings, with a worker polling its task queue."""
    return create_app(settings, client=client)


@pytest_asyncio.fixture
async def browser(app: FastAPI) -> AsyncIterator[Browser]:
    """A customer's browser."""
    async with browser_for(app) as b:
        yield b


@pytest_asyncio.fixture
async def other_browser(app: FastAPI) -> AsyncIterator[Browser]:
    """A second device or an attacker's browser: no cookies shared with ``browser``."""
    async with browser_for(app) as b:
        yield b

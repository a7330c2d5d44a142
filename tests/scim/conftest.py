"""Fixtures for SCIM tests: the real app on SQLite or PostgreSQL, a worker, a provisioning token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.worker import Worker

from core.settings import Settings
from store.scim_clients import ScimClients
from tests.conftest import MakeSettings
from tests.support.temporal import running_worker, target_of
from web.app import create_app
from web.scim.http import MEDIA_TYPE


@pytest.fixture
def scim_settings(make_settings: MakeSettings, db_url: str, client: Client) -> Settings:
    """Settings on ``db_url`` (both databases) and the session's dev server."""
    return make_settings(db_url, temporal_address=target_of(client))


@pytest_asyncio.fixture
async def scim_worker(client: Client, scim_settings: Settings) -> AsyncIterator[Worker]:
    """A worker for this test's task queue (invitation journeys run on it)."""
    async with running_worker(client, scim_settings) as running:
        yield running


@pytest.fixture
def scim_app(scim_settings: Settings, client: Client, scim_worker: Worker) -> FastAPI:
    """The web app on ``scim_settings``."""
    return create_app(scim_settings, client=client)


@pytest.fixture
def scim_token(scim_settings: Settings) -> str:
    """A provisioning client's bearer token."""
    return ScimClients(scim_settings).add("test-idp")


@pytest_asyncio.fixture
async def scim(scim_app: FastAPI, scim_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of ``/scim/v2`` holding the token."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=scim_app),
        base_url="http://threshold.test/scim/v2",
        headers={"Authorization": f"Bearer {scim_token}", "Content-Type": MEDIA_TYPE},
        timeout=60,
    ) as http:
        yield http

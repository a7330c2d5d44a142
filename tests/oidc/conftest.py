"""Fixtures for the OpenID provider tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.client import Client

from tests.conftest import MakeSettings
from tests.oidc.support import Provider, running_provider


@pytest_asyncio.fixture
async def op(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[Provider]:
    """The provider on SQLite with one registered customer."""
    async with running_provider(make_settings, sqlite_url, client) as provider:
        yield provider

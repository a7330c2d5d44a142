"""Provisioning 1 000 users through the API completes, and every one is listed and invited."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.settings import Settings
from store.models import Customer
from tests.support.store import rows

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
USERS = 1000
CONCURRENCY = 8


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_provisioning_a_thousand_users(
    scim: httpx.AsyncClient, scim_settings: Settings
) -> None:
    queue = list(range(USERS))

    async def provision() -> None:
        while queue:
            n = queue.pop()
            response = await scim.post(
                "/Users", json={"schemas": [USER], "userName": f"bulk-{n:04d}@example.com"}
            )
            assert response.status_code == 201, response.text

    await asyncio.gather(*(provision() for _ in range(CONCURRENCY)))

    listed = await scim.get("/Users", params={"filter": 'userName sw "bulk-"', "count": "1"})
    assert listed.json()["totalResults"] == USERS
    assert len(rows(scim_settings, Customer, status="active")) == USERS

"""Erasing a provisioned customer leaves nothing in SCIM: not their resource, nor their entry in
the index of a group they belonged to (id and display name), on SQLite and PostgreSQL.

The customer is erased by the deprovisioning journey started outside SCIM (their own deletion),
so nothing in the SCIM layer re-indexes the group first: the erasure's inventory must.
"""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import inspect, text
from temporalio.client import Client

from core.settings import Settings
from store.db import session_for
from tests.scim.test_api import GROUP, created, user
from tests.support.store import unique_email
from web.gateway.deletion import start_deprovisioning


def holding(settings: Settings, needle: str) -> set[str]:
    """Every ``table.column`` holding ``needle`` anywhere in the database."""
    found = set()
    with session_for(settings.database_url) as db:
        for table in inspect(db.get_bind()).get_table_names():
            for row in db.execute(text(f'SELECT * FROM "{table}"')).mappings():
                found |= {f"{table}.{c}" for c, v in row.items() if needle in str(v).lower()}
    return found


async def test_erasure_removes_the_member_from_group_indexes(
    scim: httpx.AsyncClient, scim_settings: Settings, client: Client
) -> None:
    name = f"quentin{uuid.uuid4().hex[:8]}"
    member = await created(scim, user(unique_email("scim-erase"), displayName=name))
    stays = await created(scim, user(unique_email("scim-stays")))
    group = await scim.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Night shift",
            "members": [
                {"value": member["id"], "display": name},
                {"value": stays["id"], "display": "Stays"},
            ],
        },
    )
    assert group.status_code == 201, group.text
    assert "scim_index.text" in holding(scim_settings, name)

    handle = await start_deprovisioning(
        client, scim_settings, member["id"], immediate=True, requested_by="customer"
    )
    assert (await handle.result()).kind == "redirect"

    assert holding(scim_settings, name) == set()
    assert holding(scim_settings, member["id"]) <= {
        "customers.id",
        "customers.email",
        "customers.created_by_journey",  # the provisioning's id names the customer it created
        "erasure_tombstones.customer_id",
        "consent_records.customer_id",
        "outbox_events.customer_id",
        "outbox_events.event_id",
        "outbox_events.data",
        "webhook_deliveries.event_id",
        "audit_events.customer_id",
        "audit_events.key",
        "audit_events.journey_id",
    }
    by_member = await scim.get("/Groups", params={"filter": f'members.value eq "{stays["id"]}"'})
    assert [g["id"] for g in by_member.json()["Resources"]] == [group.json()["id"]]

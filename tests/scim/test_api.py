"""The SCIM API over HTTP on SQLite and PostgreSQL: CRUD, PATCH, ETags, filters, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from core.settings import Settings
from store.models import Customer
from store.scim_clients import ScimClients
from tests.support.store import one, unique_email
from web.scim.catalog import Limits

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user(email: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER], "userName": email, **extra}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


async def created(scim: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await scim.post("/Users", json=body)
    assert response.status_code == 201, response.text
    payload: dict[str, Any] = response.json()
    return payload


def scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type, body
    detail: str = body["detail"]
    return detail


async def test_create_maps_the_user_to_a_customer(
    scim: httpx.AsyncClient, scim_settings: Settings
) -> None:
    email = unique_email("crud")
    response = await scim.post(
        "/Users", json=user(email.upper(), name={"givenName": "Ann"}, externalId="ext-1")
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["userName"] == email  # normalised like every other way in
    assert response.headers["location"] == body["meta"]["location"]
    assert response.headers["etag"] == body["meta"]["version"] == 'W/"1"'
    customer = one(scim_settings, Customer, id=body["id"])
    assert customer.email == email and customer.status == "active"


async def test_duplicate_user_name_is_a_uniqueness_conflict(scim: httpx.AsyncClient) -> None:
    email = unique_email("dup")
    await created(scim, user(email))

    again = await scim.post("/Users", json=user(email.title()))

    scim_error(again, 409, "uniqueness")


async def test_etags_guard_replacement_and_allow_conditional_get(scim: httpx.AsyncClient) -> None:
    body = await created(scim, user(unique_email("etag")))
    url = f"/Users/{body['id']}"

    assert (await scim.get(url, headers={"If-None-Match": 'W/"1"'})).status_code == 304
    replaced = await scim.put(
        url, json=user(body["userName"], displayName="Ann"), headers={"If-Match": 'W/"1"'}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] == 'W/"2"'

    stale = await scim.put(url, json=user(body["userName"]), headers={"If-Match": 'W/"1"'})
    scim_error(stale, 412)
    stale_patch = await scim.patch(
        url,
        json=patch({"op": "replace", "path": "displayName", "value": "Bo"}),
        headers={"If-Match": 'W/"1"'},
    )
    scim_error(stale_patch, 412)
    assert (await scim.get(url)).json()["displayName"] == "Ann"


async def test_patch_add_replace_remove_with_paths_and_value_filters(
    scim: httpx.AsyncClient,
) -> None:
    body = await created(
        scim,
        user(
            unique_email("patch"),
            emails=[
                {"value": "w@example.com", "type": "work", "primary": True},
                {"value": "h@example.com", "type": "home"},
            ],
        ),
    )
    url = f"/Users/{body['id']}"

    response = await scim.patch(
        url,
        json=patch(
            {"op": "add", "path": "title", "value": "Engineer"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "w2@example.com"},
            {"op": "remove", "path": 'emails[type eq "home"]'},
            {
                "op": "add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "R&D",
            },
        ),
    )

    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["title"] == "Engineer"
    assert [e["value"] for e in patched["emails"]] == ["w2@example.com"]
    assert (
        patched["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"] == "R&D"
    )
    assert patched["meta"]["version"] == 'W/"2"'
    found = await scim.get(
        "/Users", params={"filter": 'emails[type eq "work" and value sw "W2@"] and title pr'}
    )
    assert [r["id"] for r in found.json()["Resources"]] == [body["id"]]


async def test_list_filters_sorts_pages_and_selects_attributes(scim: httpx.AsyncClient) -> None:
    tag = unique_email("list").split("@")[0]
    ids = [
        (await created(scim, user(f"{tag}-{n}@example.com", displayName=f"{tag} {9 - n}")))["id"]
        for n in range(5)
    ]

    page = await scim.get(
        "/Users",
        params={
            "filter": f'userName sw "{tag}"',
            "sortBy": "displayName",
            "sortOrder": "descending",
            "startIndex": "2",
            "count": "2",
            "attributes": "displayName",
        },
    )

    assert page.status_code == 200, page.text
    listed = page.json()
    assert (listed["totalResults"], listed["startIndex"], listed["itemsPerPage"]) == (5, 2, 2)
    assert [r["id"] for r in listed["Resources"]] == ids[1:3]
    assert set(listed["Resources"][0]) == {"schemas", "id", "displayName"}
    excluded = await scim.get(f"/Users/{ids[0]}", params={"excludedAttributes": "displayName"})
    assert "displayName" not in excluded.json() and "userName" in excluded.json()
    searched = await scim.post(
        "/Users/.search",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": f'userName sw "{tag}" and displayName ew "9"',
        },
    )
    assert [r["id"] for r in searched.json()["Resources"]] == [ids[0]]


async def test_groups_hold_members_and_lose_deleted_users(scim: httpx.AsyncClient) -> None:
    alice = await created(scim, user(unique_email("alice")))
    bob = await created(scim, user(unique_email("bob")))
    group = await scim.post(
        "/Groups",
        json={"schemas": [GROUP], "displayName": "Ops", "members": [{"value": alice["id"]}]},
    )
    assert group.status_code == 201, group.text
    url = f"/Groups/{group.json()['id']}"

    added = await scim.patch(
        url, json=patch({"op": "add", "path": "members", "value": [{"value": bob["id"]}]})
    )
    assert {m["value"] for m in added.json()["members"]} == {alice["id"], bob["id"]}
    by_member = await scim.get("/Groups", params={"filter": f'members.value eq "{bob["id"]}"'})
    assert [g["id"] for g in by_member.json()["Resources"]] == [group.json()["id"]]

    assert (await scim.delete(f"/Users/{alice['id']}")).status_code == 204
    assert [m["value"] for m in (await scim.get(url)).json()["members"]] == [bob["id"]]
    unknown = await scim.patch(
        url, json=patch({"op": "add", "path": "members", "value": [{"value": "nope"}]})
    )
    scim_error(unknown, 400, "invalidValue")


async def test_user_name_that_is_not_an_email_is_provisioned_without_an_address(
    scim: httpx.AsyncClient, scim_settings: Settings
) -> None:
    body = await created(scim, user("employee-4711"))

    customer = one(scim_settings, Customer, id=body["id"])
    assert customer.email.endswith("@scim.invalid") and customer.email_lookup == ""


@pytest.mark.parametrize(
    ("method", "path", "content", "status", "scim_type"),
    [
        ("POST", "/Users", b"{not json", 400, "invalidSyntax"),
        ("POST", "/Users", b"[1, 2]", 400, "invalidSyntax"),
        (
            "POST",
            "/Users",
            b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}',
            400,
            "invalidValue",
        ),
        (
            "POST",
            "/Users",
            b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], '
            b'"userName": "a@example.com", "password": "hunter2hunter2"}',
            400,
            "invalidValue",
        ),
        (
            "POST",
            "/Users",
            b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], '
            b'"userName": "a@example.com", "emails": [{"value": "not an email"}]}',
            400,
            "invalidValue",
        ),
        ("GET", "/Users?filter=userName%20eq", None, 400, "invalidFilter"),
        ("GET", "/Users?filter=nosuch%20eq%20%22x%22", None, 400, "invalidFilter"),
        ("GET", "/Users?filter=active%20gt%20true", None, 400, "invalidFilter"),
        ("GET", "/Users/00000000-0000-0000-0000-000000000000", None, 404, None),
        ("DELETE", "/Groups/00000000-0000-0000-0000-000000000000", None, 404, None),
        ("GET", "/Nothing", None, 404, None),
        ("DELETE", "/ServiceProviderConfig", None, 405, None),
    ],
)
async def test_bad_requests_get_scim_errors(
    scim: httpx.AsyncClient,
    method: str,
    path: str,
    content: bytes | None,
    status: int,
    scim_type: str | None,
) -> None:
    response = await scim.request(method, path, content=content)

    scim_error(response, status, scim_type)


async def test_oversize_and_non_json_bodies_are_refused(scim: httpx.AsyncClient) -> None:
    padding = "x" * (Limits.MAX_BODY_BYTES + 1)
    large = await scim.post("/Users", content=f'{{"userName": "{padding}"}}'.encode())
    scim_error(large, 413)
    form = await scim.post(
        "/Users",
        content=b"userName=a",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    scim_error(form, 415)
    too_long = await scim.post("/Users", json=user(unique_email(), title="t" * 5000))
    scim_error(too_long, 400, "invalidValue")


async def test_tokens_authenticate_and_can_be_revoked(
    scim: httpx.AsyncClient, scim_settings: Settings
) -> None:
    clients = ScimClients(scim_settings)
    token = clients.add("revocable")
    url = "/ServiceProviderConfig"

    assert (await scim.get(url, headers={"Authorization": f"Bearer {token}"})).status_code == 200
    assert clients.revoke("revocable")
    scim_error(await scim.get(url, headers={"Authorization": f"Bearer {token}"}), 401)
    scim_error(await scim.get(url, headers={"Authorization": "Bearer thr_scim_guess"}), 401)
    scim_error(await scim.get(url, headers={"Authorization": ""}), 401)

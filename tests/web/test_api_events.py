"""``POST /api/events`` with the real app, worker and dev server: application keys, validation,
and delivery to the customer's profile workflow."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client

from contracts.profiling import profile_id
from core.settings import Settings
from journeys.profile import Profile
from ops.cli import main
from store.api_apps import ApiApps
from store.profile_models import ApiApp
from tests.support.store import register_customer, rows, unique_email
from tests.support.waiting import eventually

URL = "/api/events"


@pytest.fixture
async def http(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.test")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_an_event_reaches_the_profile_once_per_id(
    http: httpx.AsyncClient, settings: Settings, client: Client
) -> None:
    key = ApiApps(settings).add("shop")
    customer_id = register_customer(settings, unique_email("events"))
    event = {"customer": customer_id, "type": "purchase", "id": "order-42"}

    for _ in range(2):
        answer = await http.post(URL, json=event, headers=bearer(key))
        assert answer.status_code == 202, answer.text

    handle = client.get_workflow_handle(profile_id(customer_id))

    async def counted() -> dict[str, int]:
        state = await handle.query(Profile.state)
        assert state.progress is not None and state.progress.events
        return state.progress.events

    assert await eventually(counted) == {"purchase": 1}
    await handle.terminate("test over")


@pytest.mark.parametrize("headers", [{}, bearer("thr_wrong"), {"Authorization": "Basic eDp5"}])
async def test_missing_or_wrong_keys_are_401(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    answer = await http.post(URL, json={"customer": "x", "type": "purchase"}, headers=headers)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"type": "purchase"}',
        b'{"customer": "c", "type": "Purchase!"}',
        b'{"customer": "c", "type": "purchase", "extra": 1}',
        b"[]",
    ],
)
async def test_bad_payloads_are_422(
    http: httpx.AsyncClient, settings: Settings, body: bytes
) -> None:
    key = ApiApps(settings).add("shop")

    answer = await http.post(URL, content=body, headers=bearer(key))

    assert answer.status_code == 422
    assert "customer" in answer.json()["detail"]


async def test_unknown_customer_is_404(http: httpx.AsyncClient, settings: Settings) -> None:
    key = ApiApps(settings).add("shop")

    answer = await http.post(URL, json={"customer": "nobody", "type": "x"}, headers=bearer(key))

    assert answer.status_code == 404


def test_cli_prints_a_key_once_and_stores_only_its_hash(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THRESHOLD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("THRESHOLD_SECRET_KEY", settings.secret_key)

    assert main(["apps", "add", "newsletter"]) == 0
    key = capsys.readouterr().out.strip()

    [app] = rows(settings, ApiApp, name="newsletter")
    assert key.startswith("thr_") and key not in app.key_hash
    assert ApiApps(settings).authenticate(key) == "newsletter"
    with pytest.raises(SystemExit, match="already exists"):
        main(["apps", "add", "newsletter"])

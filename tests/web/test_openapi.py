"""The JSON APIs are described in ``/openapi.json`` and survive schemathesis (issue 15).

``threshold web`` and ``threshold worker`` run as real processes (as in production) so the
fuzzer's blocking HTTP calls never stall the test's event loop. Every operation of the published
description is fuzzed, so an endpoint added to a JSON API is covered without touching this file;
examples are bounded so the test stays seconds-long.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case
from temporalio.client import Client

from core.settings import Settings
from store.api_apps import ApiApps
from store.scim_clients import ScimClients
from tests.conftest import MakeSettings
from tests.support.net import free_port
from tests.support.served import web_and_worker
from tests.support.temporal import target_of
from web.app import create_app
from web.openapi import JSON_API_TAGS

#: Examples per operation: enough to hit the edge cases schemathesis prefers, seconds in total.
EXAMPLES = 5
PAGE_PREFIXES = ("/j/", "/account", "/login", "/register", "/support", "/recover")


@dataclass
class Served:
    """The running web process and the credentials that open each API."""

    url: str
    scim_token: str
    app_key: str

    def headers_for(self, path: str) -> dict[str, str]:
        if path.startswith("/scim/"):
            return {"Authorization": f"Bearer {self.scim_token}"}
        if path == "/api/events":
            return {"Authorization": f"Bearer {self.app_key}"}
        return {}


@pytest.fixture
def served(make_settings: MakeSettings, sqlite_url: str, client: Client) -> Iterator[Served]:
    port = free_port("127.0.0.1")
    config: Settings = make_settings(
        sqlite_url, temporal_address=target_of(client), base_url=f"http://127.0.0.1:{port}"
    )
    scim_token = ScimClients(config).add("fuzz-idp")
    app_key = ApiApps(config).add("fuzz-shop")
    with web_and_worker(config, port) as url:
        yield Served(url, scim_token, app_key)


def test_description_lists_json_apis_and_no_pages(make_settings: MakeSettings) -> None:
    spec = create_app(make_settings("sqlite:///:memory:")).openapi()
    paths = spec["paths"]
    for expected in ("/scim/v2/Users", "/api/events", "/oauth2/token", "/codec/{operation}"):
        assert expected in paths
    assert not [p for p in paths if p.startswith(PAGE_PREFIXES)], "a page is in the API"
    assert "/oauth2/authorize" not in paths and "/oauth2/logout" not in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert set(operation["tags"]) & set(JSON_API_TAGS), (path, method)
            if method in ("put", "patch"):
                assert "requestBody" in operation, (path, method)
    for path in ("/scim/v2/Users", "/scim/v2/.search", "/oauth2/token", "/oauth2/revoke"):
        assert "requestBody" in paths[path]["post"], path
    for path in ("/api/events", "/api/webhooks", "/codec/{operation}"):
        assert "requestBody" in paths[path]["post"], path


@pytest.mark.timeout(600)  # about 120 requests; seconds on an idle machine
def test_schemathesis_finds_no_server_error(served: Served, make_settings: MakeSettings) -> None:
    spec = create_app(make_settings("sqlite:///:memory:")).openapi()
    schema = schemathesis.openapi.from_dict(spec)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"schemathesis cannot read an operation: {result}"
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: Case[Any]) -> None:
            response = case.call(base_url=served.url, headers=served.headers_for(case.path))
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            assert "content-security-policy" in {k.lower() for k in response.headers}

        fuzz()
    assert operations >= 20
    assert failures == [], failures

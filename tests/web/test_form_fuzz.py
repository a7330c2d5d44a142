"""Hypothesis posts malformed values to every journey screen and every form (issue 15).

The targets are found, not listed: each journey the web may start (the journey registry) and
every POST route of the app that is not a JSON API (those are schemathesis's, test_openapi.py).
A new journey or form is fuzzed the day it is added. Any status >= 500 fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.client import Client

from journeys import catalog
from tests.conftest import MakeSettings
from tests.support.browser import CSRF_RE
from tests.support.net import free_port
from tests.support.served import web_and_worker
from tests.support.store import register_customer, unique_email
from tests.support.temporal import target_of
from web.app import create_app

PASSWORD = "violet-tractor-harbour"
#: Examples per journey screen or form: bounded, so the whole test takes seconds.
EXAMPLES = 4
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
INPUT_NAME = re.compile(r'<(?:input|select|textarea)[^>]* name="([^"]+)"')
PATH_PARAM = re.compile(r"\{[^}]+\}")
#: Fuzzed through each journey's own screen instead (a real journey id, a real screen).
JOURNEY_SUBMIT = "/j/{journey}/{journey_id}"

NASTY = st.sampled_from(
    [
        "",
        "é",
        "\x00",
        "%00",
        "\r\n",
        "a" * 5000,
        "9" * 40,
        "-1",
        "1e999",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "\ufeff\u202e",
        "😀",
        "//evil.example",
        "http://127.0.0.1:9999\\cb",
    ]
)
#: Any text that can be sent as UTF-8 (lone surrogates cannot be encoded by a client).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
VALUE = st.one_of(NASTY, TEXT)


def post_routes(app: FastAPI) -> list[str]:
    """Every page (non-API) POST path of the app, the journeys' submit route excepted."""
    described = set(app.openapi()["paths"])
    found = []
    for route in _routes(app.routes):
        if (
            isinstance(route, APIRoute)
            and "POST" in (route.methods or set())
            and route.path not in described
            and route.path != JOURNEY_SUBMIT
        ):
            found.append(route.path)
    return sorted(set(found))


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def sign_in(http: httpx.Client, email: str) -> None:
    page = _settle(http, http.get("/login"))
    action = FORM_ACTION.search(page.text)
    assert action, page.text[:300]
    fields = dict(hidden_fields(page.text), email=email, password=PASSWORD)
    answer = http.post(action.group(1), data=fields)
    assert answer.headers.get("location") == "/account", answer.text[:300]


def hidden_fields(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)


def _settle(http: httpx.Client, answer: httpx.Response) -> httpx.Response:
    for _ in range(5):
        if answer.status_code not in (302, 303):
            return answer
        answer = http.get(answer.headers["location"])
    return answer


def fuzz_form(http: httpx.Client, action: str, names: list[str], failures: list[str]) -> None:
    """Post ``EXAMPLES`` malformed forms to ``action``: the page's own fields, the hidden ones
    and strangers, each with a nasty value, plus raw bodies."""
    keys = st.sampled_from([*names, "csrf_token", "seq", "screen", "return_to", "x"])

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        values=st.dictionaries(keys, VALUE, max_size=6),
        raw=st.one_of(st.none(), st.binary(max_size=200)),
    )
    def post(values: dict[str, str], raw: bytes | None) -> None:
        if raw is None:
            answer = http.post(action, data=values)
        else:
            kind = {"content-type": "application/x-www-form-urlencoded"}
            answer = http.post(action, content=raw, headers=kind)
        if answer.status_code >= 500:
            failures.append(f"POST {action} {values or raw!r}: {answer.status_code}")

    post()


@pytest.fixture
def served(make_settings: MakeSettings, sqlite_url: str, client: Client) -> Iterator[Any]:
    port = free_port("127.0.0.1")
    config = make_settings(
        sqlite_url, temporal_address=target_of(client), base_url=f"http://127.0.0.1:{port}"
    )
    email = unique_email("fuzz")
    register_customer(config, email, PASSWORD)
    with web_and_worker(config, port) as url:
        yield url, email, config


@pytest.mark.timeout(600)  # about 150 posts; seconds on an idle machine
def test_every_journey_screen_and_form_survives_malformed_posts(served: Any) -> None:
    url, email, config = served
    failures: list[str] = []
    journeys = [n for n, c in catalog.by_name().items() if c.entry in ("public", "signed_in")]
    assert {"registration", "login", "recovery"} <= set(journeys)
    with (
        httpx.Client(base_url=url, timeout=30) as anonymous,
        httpx.Client(base_url=url, timeout=30) as customer,
    ):
        sign_in(customer, email)
        for name in journeys:
            http = customer if catalog.by_name()[name].entry == "signed_in" else anonymous
            page = _settle(http, http.get(f"/j/{name}"))
            action = FORM_ACTION.search(page.text)
            if page.status_code >= 500:
                failures.append(f"GET /j/{name}: {page.status_code}")
            assert action, f"/j/{name} shows no form: {page.status_code} {page.text[:200]}"
            fuzz_form(http, action.group(1), INPUT_NAME.findall(page.text), failures)
        forms = post_routes(create_app(config))
        assert {"/account/totp/begin", "/support/login", "/j/{journey}/{journey_id}/link"} <= set(
            forms
        )
        for path in forms:
            target = PATH_PARAM.sub("x1", path)
            page = customer.get(target)
            names = INPUT_NAME.findall(page.text) if page.status_code == 200 else []
            if CSRF_RE.search(page.text) is None:
                names.append("csrf_token")
            fuzz_form(customer, target, names, failures)
    assert failures == [], failures[:20]

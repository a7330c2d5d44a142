"""Filters and sorting run in SQL exactly as scim2-models evaluates them in memory.

``ScimFilter.match`` and ``SearchRequest.sort`` are scim2-models' reference semantics; hypothesis
generates filters (comparisons of every operator on strings, booleans, dates, multi-valued and
extension attributes, ``pr``, ``and``/``or``/``not`` and value selections) and each must select,
on SQLite and on PostgreSQL, exactly the users the reference selects, in the reference's order.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scim2_models import InvalidFilterException, ScimFilter, SearchRequest

from core.settings import Settings
from web.scim.catalog import UserResource
from web.scim.directory import Directory, Stored

ALPHABET = "aAbBéÉ@. "
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
STRINGS = [
    "userName",
    "displayName",
    "name.givenName",
    "title",
    "externalId",
    "emails.value",
    "emails.type",
    f"{ENTERPRISE}:employeeNumber",
]
STRING_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
words = st.text(alphabet=ALPHABET, min_size=0, max_size=3)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))


def _user(rng: random.Random, n: int) -> UserResource:
    data: dict[str, Any] = {"userName": f"{_word(rng)}{n}", "active": rng.random() < 0.5}
    if rng.random() < 0.7:
        data["displayName"] = _word(rng)
    if rng.random() < 0.7:
        data["name"] = {"givenName": _word(rng)}
    if rng.random() < 0.5:
        data["title"] = _word(rng)
    if rng.random() < 0.5:
        data["externalId"] = _word(rng)
    emails = []
    for _ in range(rng.randint(0, 3)):
        local = "".join(rng.choice("aAbBéÉ") for _ in range(rng.randint(1, 3)))
        email: dict[str, Any] = {"value": f"{local}@x.y", "type": rng.choice(["work", "Home"])}
        if rng.random() < 0.3 and not any(e.get("primary") for e in emails):
            email["primary"] = True
        emails.append(email)
    if emails:
        data["emails"] = emails
    if rng.random() < 0.5:
        data[ENTERPRISE] = {"employeeNumber": _word(rng)}
    return UserResource.model_validate({"schemas": [str(UserResource.__schema__)], **data})


@pytest.fixture
def population(db_settings: Settings) -> tuple[Directory, list[Stored]]:
    """40 users with overlapping values, stored once per test (read-only afterwards)."""
    directory = Directory(db_settings.database_url, db_settings.base_url)
    rng = random.Random(7)
    stored = [directory.create(UserResource, _user(rng, n), client_id="test") for n in range(40)]
    stored.sort(key=lambda s: (s.resource.meta.created, s.resource.id))
    return directory, stored


def comparison() -> st.SearchStrategy[str]:
    text = st.builds(
        lambda a, op, v: f'{a} {op} "{v}"',
        st.sampled_from(STRINGS),
        st.sampled_from(STRING_OPS),
        words,
    )
    flags = st.builds(
        lambda a, op, v: f"{a} {op} {str(v).lower()}",
        st.sampled_from(["active", "emails.primary"]),
        st.sampled_from(["eq", "ne"]),
        st.booleans(),
    )
    moments = st.builds(
        lambda op, delta: f'meta.created {op} "{_moment(delta)}"',
        st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
        st.integers(-3600, 3600),
    )
    present = st.builds(
        lambda a: f"{a} pr",
        st.sampled_from([*STRINGS, "name", "emails", "active", ENTERPRISE + ":employeeNumber"]),
    )
    selection = st.builds(
        lambda op, t, v: f'emails[type eq "{t}" {op} value co "{v}"]',
        st.sampled_from(["and", "or"]),
        st.sampled_from(["work", "home"]),
        words,
    )
    return st.one_of(text, flags, moments, present, selection)


def _moment(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


filters = st.recursive(
    comparison(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
    ),
    max_leaves=4,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(expression=filters)
def test_sql_filter_selects_what_scim2_models_matches(
    population: tuple[Directory, list[Stored]], expression: str
) -> None:
    directory, stored = population
    try:
        scim_filter = ScimFilter[UserResource](expression)
    except InvalidFilterException:
        # scim2-models refuses the filter (e.g. `emails.value eq ""`: not an email address), and
        # so does the server when it parses the request (an invalidFilter error, never a result).
        with pytest.raises(ValidationError, match="scim_invalidFilter"):
            SearchRequest[UserResource](filter=expression, count=200)
        return
    request = SearchRequest[UserResource](filter=expression, count=200)
    expected = [s.resource.id for s in stored if scim_filter.match(s.resource)]

    total, found = directory.search(UserResource, request)

    assert sorted(s.resource.id for s in found) == sorted(expected), expression
    assert total == len(expected)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    attribute=st.sampled_from([*STRINGS, "active", "meta.created", "id", "emails"]),
    descending=st.booleans(),
)
def test_sql_sort_orders_as_scim2_models_sorts(
    population: tuple[Directory, list[Stored]], attribute: str, descending: bool
) -> None:
    directory, stored = population
    request = SearchRequest[UserResource](
        sort_by=attribute,
        sort_order="descending" if descending else "ascending",
        count=200,
    )
    expected = [r.id for r in request.sort([s.resource for s in stored])]

    _, found = directory.search(UserResource, request)

    assert [s.resource.id for s in found] == expected


@pytest.mark.parametrize(("start", "count"), [(1, 10), (11, 10), (35, 10), (41, 5), (0, 3), (5, 0)])
def test_pages_partition_the_sorted_results(
    population: tuple[Directory, list[Stored]], start: int, count: int
) -> None:
    directory, stored = population
    request = SearchRequest[UserResource](sort_by="userName", start_index=start, count=count)
    everything = [r.id for r in request.sort([s.resource for s in stored])]

    total, found = directory.search(UserResource, request)

    first = max(start, 1) - 1
    assert total == len(stored)
    assert [s.resource.id for s in found] == everything[first : first + count]

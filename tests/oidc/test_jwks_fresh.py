"""A fresh stack publishes a signing key before any token is issued (issue 15, finding 7): a
relying party that fetches the JWKS first must find a key, never a server error."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from joserfc.jwk import KeySet
from sqlmodel import select
from temporalio.client import Client

from core.settings import Settings
from store.db import session_for
from store.oidc_models import SigningKey
from tests.conftest import MakeSettings
from tests.oidc.test_cli import threshold
from tests.support import databases
from tests.support.webserver import serving
from web.app import create_app


def kids(settings: Settings) -> list[str]:
    with session_for(settings.database_url) as db:
        return [row.kid for row in db.exec(select(SigningKey)).all()]


def test_migrate_makes_the_first_signing_key_once(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(databases.sqlite_url_for(tmp_path / "fresh.db"))
    first = threshold(settings, "migrate")
    assert first.returncode == 0, first.stderr
    made = kids(settings)
    assert len(made) == 1
    again = threshold(settings, "migrate")
    assert again.returncode == 0, again.stderr
    assert kids(settings) == made, "a second migrate must not rotate the key"
    databases.dispose(settings.database_url)


async def test_jwks_of_a_freshly_migrated_stack_has_the_current_key(
    make_settings: MakeSettings, tmp_path: Path, client: Client
) -> None:
    settings = make_settings(databases.sqlite_url_for(tmp_path / "fresh.db"))
    assert threshold(settings, "migrate").returncode == 0
    async with serving(create_app(settings, client=client)) as url, httpx.AsyncClient() as http:
        answer = await http.get(f"{url}/oauth2/jwks")
    assert answer.status_code == 200
    published = KeySet.import_key_set(json.loads(answer.text))
    assert [key.kid for key in published] == kids(settings)
    databases.dispose(settings.database_url)


async def test_jwks_is_never_empty_even_without_migrate_making_a_key(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> None:
    settings = make_settings(sqlite_url)  # schema only: the test template never made a key
    assert kids(settings) == []
    async with serving(create_app(settings, client=client)) as url, httpx.AsyncClient() as http:
        answer = await http.get(f"{url}/oauth2/jwks")
    assert answer.status_code == 200
    assert len(json.loads(answer.text)["keys"]) == 1

"""``threshold idps add``, run as an operator would: the client secret never rests in the clear."""

from __future__ import annotations

from sqlalchemy import text

from core.settings import Settings
from store.db import session_for
from store.idps import Idps
from tests.oidc.test_cli import threshold

SECRET = "upstream-secret-7f3a9c1e"


def test_add_stores_the_secret_sealed_and_opens_it(db_settings: Settings) -> None:
    added = threshold(
        db_settings,
        "idps",
        "add",
        "corp",
        "--issuer",
        "https://idp.example/",
        "--client-id",
        "threshold",
        "--client-secret",
        SECRET,
    )
    assert added.returncode == 0, added.stderr
    assert SECRET not in added.stdout + added.stderr
    listed = threshold(db_settings, "idps", "list")
    assert listed.stdout.split() == ["corp"]
    with session_for(db_settings.database_url) as db:
        rows = db.execute(text("SELECT * FROM upstream_idps")).all()
    assert SECRET not in repr(rows)
    idp = Idps(db_settings).get("corp")
    assert idp is not None and idp.client_secret == SECRET
    assert idp.issuer == "https://idp.example"


def test_add_refuses_a_plain_http_issuer_and_a_duplicate(db_settings: Settings) -> None:
    plain = threshold(
        db_settings,
        "idps",
        "add",
        "x",
        "--issuer",
        "http://idp.example",
        "--client-id",
        "a",
        "--client-secret",
        "b",
    )
    assert plain.returncode != 0 and "https" in plain.stderr
    Idps(db_settings).add("dup", issuer="https://idp.example", client_id="a", client_secret="b")
    again = threshold(
        db_settings,
        "idps",
        "add",
        "dup",
        "--issuer",
        "https://idp.example",
        "--client-id",
        "a",
        "--client-secret",
        "b",
    )
    assert again.returncode != 0 and "already exists" in again.stderr

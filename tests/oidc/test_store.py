"""Single use under concurrency, on SQLite and PostgreSQL: of parallel redemptions of one code or
one refresh token exactly one wins, and the losers revoke the family; of parallel presentations of
one client assertion exactly one spends its jti."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from core.settings import Settings
from store.models import Customer, Session, utcnow
from store.oidc_clients import OidcClients
from store.oidc_models import ClientAssertion, OAuthCode, OAuthToken
from tests.support.store import one, register_customer, rows, unique_email
from web.oidc.store import Grant, ProviderStore

PARALLEL = 8


def grant_for(settings: Settings) -> tuple[str, Grant]:
    customer_id = register_customer(settings, unique_email("oidc-store"))
    client = OidcClients(settings).add(
        "App", auth_method="none", redirect_uris=["http://127.0.0.1:28999/cb"]
    )
    now = utcnow()
    session = Session(
        id_hash=secrets.token_hex(32),
        customer_id=customer_id,
        acr="aal1",
        amr="pwd",
        authenticated_at=now,
        idle_expires_at=now + timedelta(hours=1),
        absolute_expires_at=now + timedelta(hours=1),
    )
    return client.client_id, Grant(one(settings, Customer, id=customer_id), session, "sid-1")


def test_parallel_redemptions_of_one_code_spend_it_once(db_settings: Settings) -> None:
    store = ProviderStore(db_settings)
    client_id, grant = grant_for(db_settings)
    code = secrets.token_urlsafe(32)
    store.save_code(code, client_id, grant, "http://127.0.0.1:28999/cb", {"scope": "openid"})
    row = store.find_code(code, client_id)
    assert row is not None
    assert one(db_settings, OAuthCode, client_id=client_id).code_hash != code  # hashed at rest
    with ThreadPoolExecutor(PARALLEL) as pool:
        wins = list(pool.map(lambda _: store.spend_code(row), range(PARALLEL)))
    assert wins.count(True) == 1
    assert store.find_code(code, client_id) is None  # used: answered as unknown
    assert store.find_code(code, "another-client") is None


def test_parallel_rotations_of_one_refresh_token_rotate_it_once(db_settings: Settings) -> None:
    store = ProviderStore(db_settings)
    client_id, grant = grant_for(db_settings)
    code = secrets.token_urlsafe(32)
    store.save_code(code, client_id, grant, "http://127.0.0.1:28999/cb", {"scope": "openid"})
    origin = store.find_code(code, client_id)
    assert origin is not None
    for n in range(2):
        tokens = {
            "access_token": f"a{n}-{code}",
            "refresh_token": f"r{n}-{code}",
            "scope": "openid",
        }
        store.save_token(tokens, client_id, origin)
    first = store.by_refresh(f"r0-{code}")
    assert first is not None
    with ThreadPoolExecutor(PARALLEL) as pool:
        wins = list(pool.map(lambda _: store.rotate(first.row), range(PARALLEL)))
    assert wins.count(True) == 1
    store.revoke_family(origin.family)
    family = rows(db_settings, OAuthToken, family=origin.family)
    assert len(family) == 2 and all(t.revoked_at is not None for t in family)


def test_parallel_presentations_of_one_assertion_spend_its_jti_once(db_settings: Settings) -> None:
    store = ProviderStore(db_settings)
    client_id, _ = grant_for(db_settings)
    other_id, _ = grant_for(db_settings)
    keep_until = utcnow() + timedelta(minutes=2)
    with ThreadPoolExecutor(PARALLEL) as pool:
        wins = list(
            pool.map(
                lambda _: store.spend_assertion(client_id, "jti-1", keep_until), range(PARALLEL)
            )
        )
    assert wins.count(True) == 1
    assert store.spend_assertion(other_id, "jti-1", keep_until)  # jtis are per client
    assert one(db_settings, ClientAssertion, client_id=client_id).jti_hash != "jti-1"

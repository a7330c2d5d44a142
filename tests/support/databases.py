"""Real databases for tests: a migrated SQLite file, or a fresh PostgreSQL database.

Both start from the Alembic migrations (never ``SQLModel.metadata.create_all``), so every test also
proves the migrations produce the schema the code expects. Migrating once into a template and then
copying it (SQLite) or cloning it (``CREATE DATABASE … TEMPLATE``, PostgreSQL) keeps a fresh
database per test cheap.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

from store.db import engine_for
from store.migrate import upgrade

#: libpq URL of a PostgreSQL server where the tests may create and drop databases.
POSTGRES_ADMIN_DSN = os.environ.get(
    "THRESHOLD_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASE_PREFIX = "threshold_test_"


# ----- SQLite ------------------------------------------------------------------------------


def sqlite_url_for(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def migrate_sqlite(path: Path) -> str:
    """Create ``path`` and migrate it to head; returns its URL."""
    url = sqlite_url_for(path)
    upgrade(url)
    dispose(url)
    return url


def copy_sqlite(template: Path, path: Path) -> str:
    """A fresh database at ``path`` with ``template``'s schema (a consistent single-file copy)."""
    with sqlite3.connect(template) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return sqlite_url_for(path)


# ----- PostgreSQL --------------------------------------------------------------------------


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests here, or ``None`` when it can."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a hard dependency
        return f"psycopg is not installed: {exc}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_DSN, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_DSN}: {first_line}"
    return None


def _sqlalchemy_url(dbname: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(POSTGRES_ADMIN_DSN)
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    host = info.get("host", "127.0.0.1")
    port = info.get("port", 5432)
    return f"postgresql+psycopg://{user}{password}@{host}:{port}/{dbname}"


def create_postgres_database(
    *, template: str | None = None, prefix: str = DATABASE_PREFIX
) -> tuple[str, str]:
    """Create ``<prefix><uuid8>``, empty or cloned from ``template``; returns name, URL."""
    import psycopg
    from psycopg import sql

    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(statement)
    return name, _sqlalchemy_url(name)


def drop_postgres_database(name: str) -> None:
    """Drop a test database even if a pooled connection is still open."""
    import psycopg
    from psycopg import sql

    dispose(_sqlalchemy_url(name))
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def migrated_postgres_template() -> str:
    """A new database migrated to head, to be cloned per test; returns its name."""
    name, url = create_postgres_database()
    upgrade(url)
    dispose(url)
    return name


# ----- both --------------------------------------------------------------------------------


def dispose(url: str) -> None:
    """Close the product's pooled connections to ``url`` (its engines are cached per URL)."""
    engine_for(url).dispose()


def remove_sqlite(path: Path) -> None:
    """Delete a SQLite database with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


__all__ = [
    "POSTGRES_ADMIN_DSN",
    "copy_sqlite",
    "create_postgres_database",
    "dispose",
    "drop_postgres_database",
    "migrate_sqlite",
    "migrated_postgres_template",
    "postgres_problem",
    "remove_sqlite",
    "sqlite_url_for",
]

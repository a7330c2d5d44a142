"""Apply Alembic migrations programmatically (``threshold migrate`` and the dev runner)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database schema up to ``revision``; safe to run on every start.

    ``heads``: features may add migrations on parallel branches from a common parent.
    """
    from store.db import engine_for

    engine_for(database_url)  # creates the SQLite directory if needed
    command.upgrade(alembic_config(database_url), revision)


def prepare(settings: Settings) -> None:
    """``threshold migrate``: the schema at head, then what a fresh stack must serve before any
    customer arrives (the first OIDC signing key, so ``/oauth2/jwks`` is never empty).
    Idempotent: safe on every start."""
    from store.signing_keys import KeyRing

    upgrade(settings.database_url)
    KeyRing(settings).ensure_current()

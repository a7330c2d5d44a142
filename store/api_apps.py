"""Product applications allowed to post business events, each with its own API key.

The key is printed once by ``threshold apps add NAME``; only its keyed hash is stored, so a
database leak gives no usable key. Lookups hash the presented key and compare in the database.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.db import session_for
from store.profile_models import ApiApp

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
KEY_PREFIX = "thr_"
MAX_KEY_LENGTH = 128


class AppExists(ValueError):
    """An application with this name already has a key."""


class ApiApps:
    """Create applications and authenticate their keys."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.key = settings.derive_key("api-apps")

    def add(self, name: str) -> str:
        """Create ``name`` and return its API key (the only time it is available)."""
        if not NAME.match(name):
            raise ValueError("use 1-64 lower-case letters, digits, '-' or '_'")
        api_key = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with session_for(self.url) as session:
                session.add(ApiApp(name=name, key_hash=keyed_hash(self.key, api_key)))
        except IntegrityError:
            raise AppExists(f"an application named {name!r} already exists") from None
        return api_key

    def authenticate(self, api_key: str) -> str | None:
        """The application's name for a valid key, else ``None``."""
        if not api_key.startswith(KEY_PREFIX) or len(api_key) > MAX_KEY_LENGTH:
            return None
        with session_for(self.url) as session:
            app = session.exec(
                select(ApiApp).where(ApiApp.key_hash == keyed_hash(self.key, api_key))
            ).first()
        return app.name if app else None

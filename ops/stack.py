"""Where a local stack keeps its state, so CLIs beside it derive the same keys and database.

``threshold dev --data-dir DIR`` and ``threshold --data-dir DIR COMMAND`` both read
:func:`stack_environment`: the generated secret in ``DIR/secret.key`` and the SQLite database in
``DIR/threshold.db``, unless the environment names others. Before a CLI writes or reads anything
keyed by the secret, :func:`require_stack_key` checks that this secret is the one the data was
sealed with, so a secret is never stored under a key the running stack cannot open.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from core.settings import Settings
from store.signing_keys import KeyRing

SECRET_FILE = "secret.key"
SECRET_LENGTH = 48


class StackError(Exception):
    """The local stack's state cannot be used (a damaged secret file)."""


def dev_secret(data_dir: Path) -> str:
    """The persistent development secret: generated once, readable by the owner only.

    Keeping it across runs matters: the payload codec key and email lookups derive from it, so a new
    secret on every run would make existing journeys in ``temporal.db`` unreadable.
    """
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text().strip()
        if len(secret) < 32:
            raise StackError(
                f"{path} holds fewer than 32 characters; delete it to regenerate"
            ) from None
        return secret
    secret = secrets.token_urlsafe(SECRET_LENGTH)[:SECRET_LENGTH]
    with os.fdopen(fd, "w") as file:
        file.write(secret + "\n")
    return secret


def stack_environment(data_dir: Path, environ: dict[str, str]) -> dict[str, str]:
    """``environ`` with the stack's secret and database filled in where it names none."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(environ)
    env.setdefault("THRESHOLD_SECRET_KEY", dev_secret(data_dir))
    env.setdefault("THRESHOLD_DATABASE_URL", f"sqlite:///{data_dir / 'threshold.db'}")
    return env


def require_stack_key(settings: Settings, command: str) -> None:
    """Refuse (``SystemExit``) when ``settings`` derive other keys than the stack's data uses."""
    try:
        opens = KeyRing(settings).opens_with_this_key()
    except DBAPIError:  # no database (yet): nothing sealed there to check against
        return
    if opens is False:
        raise SystemExit(
            f"threshold {command}: THRESHOLD_SECRET_KEY is not the secret this deployment's data "
            "is sealed with (its signing key does not open with it), so nothing was written. "
            "Run with the stack's THRESHOLD_SECRET_KEY, or beside `threshold dev --data-dir DIR` "
            "pass the same `--data-dir DIR` to this command."
        )

"""What every activity group needs: settings, the database and the secret helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.security.hashing import email_lookup
from core.security.sealing import Sealer
from core.settings import Settings
from store.db import session_for
from store.models import AuditEvent


class ActivityGroup:
    """Base of the activity classes; holds per-process dependencies, no per-call state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sealer = Sealer(settings.derive_key("sealing"))
        self.lookup_key = settings.derive_key("email-lookup")
        self.verification_key = settings.derive_key("verification")

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A unit of work on the system of record."""
        with session_for(self.settings.database_url) as session:
            yield session

    def email_lookup(self, normalized_email: str) -> str:
        """The keyed hash support staff search by."""
        return email_lookup(self.lookup_key, normalized_email)

    def audit(
        self,
        key: str,
        kind: str,
        *,
        customer_id: str | None = None,
        journey_id: str | None = None,
        **detail: Any,
    ) -> None:
        """Append an audit event once; a retried activity writing the same ``key`` is a no-op."""
        try:
            with self.db() as session:
                session.add(
                    AuditEvent(
                        key=key,
                        kind=kind,
                        customer_id=customer_id,
                        journey_id=journey_id,
                        detail=json.dumps(detail, sort_keys=True),
                    )
                )
        except IntegrityError:
            return

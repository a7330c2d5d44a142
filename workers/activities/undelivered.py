"""An email's secrets kept, sealed, on their row until the mail server accepts the email.

Codes and link tokens are stored only as keyed hashes, yet a send that failed is retried and must
email the very secrets those hashes match (a second code would leave the customer with two). So the
row holds them sealed to its journey and row (field ``undelivered:<row id>``) until the email is
accepted, then forgets them. Verifications and invitations share this.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from contracts.sealed import Sealed
from core.security.sealing import Sealer, SealError
from store.models import utcnow


class EmailedRow(Protocol):
    """A row of secrets sent by email: a verification, an invitation."""

    id: str
    sent_at: datetime | None
    undelivered: str | None


def seal_undelivered(
    sealer: Sealer, secrets: dict[str, str], *, journey_id: str, row_id: str
) -> str:
    """``secrets`` sealed for the ``undelivered`` column of row ``row_id``."""
    sealed = sealer.seal(json.dumps(secrets), journey_id=journey_id, field=f"undelivered:{row_id}")
    return sealed.model_dump_json()


def open_undelivered(
    sealer: Sealer, row: EmailedRow, *, journey_id: str, names: tuple[str, ...]
) -> dict[str, str] | None:
    """The secrets ``names`` of a row whose first send failed, or ``None`` when they cannot be
    had (none kept, seal expired, damaged): the caller then makes and stores fresh ones."""
    if row.undelivered is None:
        return None
    try:
        opened = sealer.open(
            Sealed.model_validate_json(row.undelivered),
            journey_id=journey_id,
            field=f"undelivered:{row.id}",
        )
        kept = json.loads(opened)
        return {name: str(kept[name]) for name in names}
    except (SealError, ValueError, KeyError, TypeError):
        return None


def mark_delivered(db: Session, model: type[EmailedRow], row_id: str) -> None:
    """The mail server accepted the email: note when, and forget the secrets."""
    row = db.get(model, row_id)
    assert row is not None
    row.sent_at, row.undelivered = utcnow(), None
    db.add(row)

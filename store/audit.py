"""The audit trail: what activities did for journeys, staff sign-ins, decodes and support actions.

All rows go to one append-only ``audit_events`` table, so one query shows everything that
happened to a customer, whoever did it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError

from store.db import session_for
from store.models import AuditEvent


def row(
    kind: str,
    *,
    key: str | None = None,
    journey_id: str | None = None,
    customer_id: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """One audit row, for a caller that writes it inside its own transaction."""
    return AuditEvent(
        key=key or f"{kind}:{uuid.uuid4()}",
        kind=kind,
        journey_id=journey_id,
        customer_id=customer_id,
        detail=json.dumps(detail, sort_keys=True),
    )


def record(
    database_url: str,
    kind: str,
    *,
    key: str | None = None,
    journey_id: str | None = None,
    customer_id: str | None = None,
    **detail: Any,
) -> None:
    """Append one event; an explicit ``key`` makes writing the same event twice a no-op."""
    try:
        with session_for(database_url) as db:
            db.add(row(kind, key=key, journey_id=journey_id, customer_id=customer_id, **detail))
    except IntegrityError:
        return

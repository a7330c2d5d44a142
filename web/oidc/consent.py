"""Per-client consent, remembered as consent records with purpose ``client:<client_id>``.

The record's version is a digest of the granted scopes, so asking for a new scope asks again, and
the append-only history of the consent issue shows every grant and withdrawal.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlmodel import col, select

from core.settings import Settings
from store.db import session_for
from store.models import ConsentRecord

SCOPE_TEXT = {
    "openid": "Know who you are (a stable identifier for your account)",
    "profile": "See your basic profile",
    "email": "See your email address and whether it is verified",
    "offline_access": "Stay connected when you are not using it (a refresh token)",
}


def purpose(client_id: str) -> str:
    return f"client:{client_id}"[:64]


def version(scope: str) -> str:
    """The same set of scopes, in any order, gives the same version."""
    return hashlib.sha256(" ".join(sorted(set(scope.split()))).encode()).hexdigest()[:32]


class Consents:
    """Reads and appends a customer's grants to relying parties."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url

    def granted(self, customer_id: str, client_id: str, scope: str) -> bool:
        """Whether the latest decision for this client and exactly these scopes was a grant."""
        with session_for(self.url) as db:
            latest = db.exec(
                select(ConsentRecord)
                .where(ConsentRecord.customer_id == customer_id)
                .where(ConsentRecord.purpose == purpose(client_id))
                .where(ConsentRecord.version == version(scope))
                .order_by(col(ConsentRecord.id).desc())
            ).first()
        return latest is not None and latest.granted

    def record(self, customer_id: str, client_id: str, scope: str, granted: bool) -> None:
        with session_for(self.url) as db:
            db.add(
                ConsentRecord(
                    customer_id=customer_id,
                    purpose=purpose(client_id),
                    version=version(scope),
                    granted=granted,
                    channel="oidc",
                    journey_id=f"oidc-{uuid.uuid4()}",
                )
            )

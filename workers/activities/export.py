"""Data export (right of access / portability): assemble, store encrypted, email a one-time link.

The file is AES-GCM encrypted at rest (bound to its export id) and lives only until the link
expires; the link's token is a keyed hash of the journey id, so a retried activity mails the same
link, and only a keyed hash of the token is stored.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel
from sqlalchemy import delete
from sqlmodel import col, select
from temporalio import activity

from core.security.hashing import keyed_hash
from core.settings import Settings
from store.export_assembly import assemble
from store.export_models import DataExport
from store.models import AuditEvent, Customer, utcnow
from workers.activities.base import ActivityGroup
from workers.activities.messaging import Mailer

LINK_LIFETIME = timedelta(hours=24)


class PrepareExport(BaseModel):
    """Whose data, for which journey."""

    journey_id: str
    customer_id: str


class ExportReady(BaseModel):
    """The export's id and when its link stops working (``found`` False: no such customer)."""

    found: bool
    export_id: str = ""
    expires_at: datetime | None = None


class ExportKeys:
    """The keys of exports: link tokens, their stored hashes, and the file encryption."""

    def __init__(self, settings: Settings) -> None:
        self.link_key = settings.derive_key("export-link")
        self.lookup_key = settings.derive_key("export-link-lookup")
        self.file_key = settings.derive_key("export-file")

    def token(self, journey_id: str) -> str:
        return keyed_hash(self.link_key, journey_id)

    def token_hash(self, token: str) -> str:
        return keyed_hash(self.lookup_key, token)

    def seal(self, export_id: str, document: str) -> str:
        nonce = os.urandom(12)
        box = AESGCM(self.file_key).encrypt(nonce, document.encode(), export_id.encode())
        return base64.urlsafe_b64encode(nonce + box).decode()

    def open(self, export_id: str, box: str) -> str:
        raw = base64.urlsafe_b64decode(box.encode())
        return AESGCM(self.file_key).decrypt(raw[:12], raw[12:], export_id.encode()).decode()


class ExportActivities(ActivityGroup):
    """Side effects of the export journey."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)
        self.keys = ExportKeys(settings)

    @activity.defn(name="export.prepare")
    def prepare(self, request: PrepareExport) -> ExportReady:
        """Assemble and store the export once, then email its link (once)."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            if customer is None or customer.status == "erased":
                return ExportReady(found=False)
            email = customer.email
            row = session.exec(
                select(DataExport).where(DataExport.journey_id == request.journey_id)
            ).first()
            if row is None:
                export_id = str(uuid.uuid4())
                document = json.dumps(assemble(session, request.customer_id), sort_keys=True)
                row = DataExport(
                    id=export_id,
                    customer_id=request.customer_id,
                    journey_id=request.journey_id,
                    token_hash=self.keys.token_hash(self.keys.token(request.journey_id)),
                    box=self.keys.seal(export_id, document),
                    expires_at=utcnow() + LINK_LIFETIME,
                )
                session.add(row)
            ready = ExportReady(found=True, export_id=row.id, expires_at=row.expires_at)
            sent_key = f"{request.journey_id}:mail:export"
            sent = session.exec(select(AuditEvent).where(AuditEvent.key == sent_key)).first()
        if sent is None:
            token = self.keys.token(request.journey_id)
            link = f"{self.settings.base_url}/account/export/{ready.export_id}?token={token}"
            self.mailer.send("data_export", to=email, link=link, hours=24)
            self.audit(
                sent_key,
                "export.sent",
                customer_id=request.customer_id,
                journey_id=request.journey_id,
            )
        return ready

    @activity.defn(name="export.discard")
    def discard(self, request: PrepareExport) -> None:
        """The link expired (or support cancelled): the file is deleted."""
        with self.db() as session:
            session.execute(
                delete(DataExport).where(col(DataExport.journey_id) == request.journey_id)
            )


def export_activities(settings: Settings) -> list[object]:
    """The group's activities, bound to one instance (for the worker's list)."""
    group = ExportActivities(settings)
    return [group.prepare, group.discard]

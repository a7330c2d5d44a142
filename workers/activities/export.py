"""Data export (right of access / portability): assemble, store encrypted, email a one-time link.

The file is AES-GCM encrypted at rest (bound to its export id) and lives only until the link
expires; the link's token is a keyed hash of the journey id, so a retried activity mails the same
link, and only a keyed hash of the token is stored.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import delete
from sqlmodel import col, select

from contracts.emails import EmailPurpose
from contracts.export import LINK_LIFETIME, ExportActivities, ExportReady, PrepareExport
from core.security.links import ExportKeys
from core.settings import Settings
from store.export_assembly import assemble
from store.export_models import DataExport
from store.models import AuditEvent, Customer, utcnow
from store.passkey_repo import has_password
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer


class ExportActivitiesImpl(ActivityGroup):
    """Side effects of the export journey."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)
        self.keys = ExportKeys(settings)

    @implements(ExportActivities.prepare)
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
            # Whom to tell to change a password: only a customer who has one.
            password = has_password(self.settings.database_url, request.customer_id)
            self.mailer.send(
                "data_export",
                purpose=EmailPurpose.LINK,
                to=email,
                link=link,
                hours=24,
                base_url=self.settings.base_url,
                reason="password" if password else "no_password",
            )
            self.audit(
                sent_key,
                "export.sent",
                customer_id=request.customer_id,
                journey_id=request.journey_id,
            )
        return ready

    @implements(ExportActivities.discard)
    def discard(self, request: PrepareExport) -> None:
        """The link expired (or support cancelled): the file is deleted."""
        with self.db() as session:
            session.execute(
                delete(DataExport).where(col(DataExport.journey_id) == request.journey_id)
            )

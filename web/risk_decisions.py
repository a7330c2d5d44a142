"""A customer's last risk decisions, in plain words, for the support customer view.

Read from the audit log (``risk.assessed`` rows, written by the risk activity with the decision,
score, threshold, history and reasons) and worded by :mod:`contracts.risk_explain`, the same words
the CLI ``threshold risk explain`` prints. Erasure deletes these rows with the customer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from contracts.risk_explain import Explained, explain
from core.settings import Settings
from store.db import session_for
from store.models import AuditEvent, Customer
from web.gateway.support import lookup_for

#: How many decisions the customer view shows, newest first.
SHOWN = 20


@dataclass(frozen=True)
class Decision:
    """One sign-in's decision: when, which journey, and its words."""

    at: datetime
    journey_id: str
    words: Explained


def recent_decisions(settings: Settings, email: str) -> list[Decision] | None:
    """The last :data:`SHOWN` decisions of the customer with ``email`` (``None``: no customer).

    ``ValueError`` if ``email`` is not an email address.
    """
    lookup = lookup_for(settings, email)
    with session_for(settings.database_url) as db:
        customer_id = db.exec(select(Customer.id).where(Customer.email_lookup == lookup)).first()
        if customer_id is None:
            return None
        events = db.exec(
            select(AuditEvent)
            .where(AuditEvent.kind == "risk.assessed", AuditEvent.customer_id == customer_id)
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(SHOWN)
        ).all()
        return [
            Decision(at=e.at, journey_id=e.journey_id or "", words=explain(json.loads(e.detail)))
            for e in events
        ]

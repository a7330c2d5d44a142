"""Tables of the events outbox and of webhook subscriptions.

Every event a journey emits is one ``outbox_events`` row keyed by its caller-chosen stable id, so a
retried emit never writes twice and the same id reaches receivers as ``webhook-id`` for
deduplication. A subscription's signing secret is stored AES-GCM encrypted (never in the clear):
the workers need it back to sign, so a hash would not do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow


class OutboxEvent(SQLModel, table=True):
    """One event, once; ``data`` is JSON without secrets.

    ``customer_seq`` numbers one customer's events 1, 2, 3… in the order they were written (the
    order they happened): deliveries to one receiver may arrive in any order (retries, outages),
    so every payload carries it and receivers order one customer's events by it.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        UniqueConstraint("customer_id", "customer_seq", name="uq_outbox_events_customer_seq"),
    )

    event_id: str = Field(primary_key=True, max_length=200)
    type: str = Field(index=True, max_length=64)
    customer_id: str | None = Field(default=None, index=True, max_length=36)
    customer_seq: int | None = None
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class WebhookSubscription(SQLModel, table=True):
    """A connected system: where to POST, which event types, and its encrypted signing secret."""

    __tablename__ = "webhook_subscriptions"

    id: str = Field(primary_key=True, max_length=36)
    url: str = Field(max_length=2000)
    event_types: str = Field(max_length=2000)
    secret_box: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None

    def wants(self, event_type: str) -> bool:
        """Whether this subscription receives ``event_type`` (``*`` means every type)."""
        types = self.event_types.split()
        return "*" in types or event_type in types


class WebhookDelivery(SQLModel, table=True):
    """The state of one event's delivery to one subscription (for support and the outcome)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "subscription_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(index=True, max_length=200)
    subscription_id: str = Field(index=True, max_length=36)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    delivered_at: datetime | None = None

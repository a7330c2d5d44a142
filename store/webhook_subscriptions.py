"""Managing subscriptions (CLI and admin API share this): add, list, remove.

The secret is returned once, when the subscription is added; afterwards only its encrypted box is
stored and listings never show it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel
from sqlmodel import select

from core.settings import Settings
from store.db import session_for
from store.events_models import WebhookSubscription
from store.models import utcnow
from store.webhook_secrets import WebhookSecrets, new_secret

KNOWN_TYPES = frozenset(
    {
        "customer.created",
        "customer.verified",
        "customer.email_changed",
        "customer.password_changed",
        "login.succeeded",
        "login.challenged",
        "profile.updated",
        "consent.changed",
        "customer.erasure_requested",
        "customer.deleted",
    }
)


class SubscriptionError(ValueError):
    """A subscription request that cannot be accepted, with a message for the caller."""


class SubscriptionView(BaseModel):
    """A subscription as shown to staff: never its secret."""

    id: str
    url: str
    event_types: list[str]
    created_at: datetime


class NewSubscription(SubscriptionView):
    """A freshly added subscription with its secret, shown this one time."""

    secret: str


def check_request(url: str, event_types: list[str]) -> list[str]:
    """The cleaned event types, or :class:`SubscriptionError` naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SubscriptionError("url must be an absolute http(s) URL")
    types = sorted({t.strip() for t in event_types if t.strip()})
    if not types:
        raise SubscriptionError("at least one event type is required")
    unknown = [t for t in types if t != "*" and t not in KNOWN_TYPES]
    if unknown:
        raise SubscriptionError(f"unknown event type(s): {', '.join(unknown)}")
    return types


def add(settings: Settings, url: str, event_types: list[str]) -> NewSubscription:
    """Store a new subscription with a fresh secret."""
    types = check_request(url, event_types)
    sub_id = str(uuid.uuid4())
    secret = new_secret()
    row = WebhookSubscription(
        id=sub_id,
        url=url,
        event_types=" ".join(types),
        secret_box=WebhookSecrets.for_settings(settings).seal(secret, subscription_id=sub_id),
    )
    with session_for(settings.database_url) as session:
        session.add(row)
        session.flush()
        view = _view(row)
    return NewSubscription(**view.model_dump(), secret=secret)


def listing(settings: Settings) -> list[SubscriptionView]:
    """Every active subscription, oldest first."""
    with session_for(settings.database_url) as session:
        rows = session.exec(
            select(WebhookSubscription)
            .where(WebhookSubscription.removed_at.is_(None))  # type: ignore[union-attr]
            .order_by(WebhookSubscription.created_at)  # type: ignore[arg-type]
        ).all()
        return [_view(r) for r in rows]


def remove(settings: Settings, subscription_id: str) -> bool:
    """Stop sending to a subscription; False if there is no such active subscription."""
    with session_for(settings.database_url) as session:
        row = session.get(WebhookSubscription, subscription_id)
        if row is None or row.removed_at is not None:
            return False
        row.removed_at = utcnow()
        session.add(row)
    return True


def _view(row: WebhookSubscription) -> SubscriptionView:
    return SubscriptionView(
        id=row.id, url=row.url, event_types=row.event_types.split(), created_at=row.created_at
    )

"""Machine endpoints of deprovisioning and webhooks.

* ``POST /api/erasure/{event_id}/ack`` – a connected system confirms it erased the customer. The
  request is signed like our webhooks (Standard Webhooks headers, the subscription's secret), so
  only a subscribed system can acknowledge, and only for itself.
* ``POST /api/customers/{id}/deprovision?grace=0`` – an admin deprovisions a customer (no grace:
  suspended at once, then the same erasure); without ``grace`` the default grace period applies.
* ``GET/POST /api/webhooks``, ``DELETE /api/webhooks/{id}`` – manage subscriptions.

Admin endpoints take a staff bearer token (``threshold staff token``) of an ``admin``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.responses import JSONResponse, Response

from contracts.deprovisioning import ERASURE_REQUESTED
from store import webhook_subscriptions as subscriptions
from store.db import session_for
from store.events_models import OutboxEvent, WebhookSubscription
from store.models import Customer
from store.staff import SignedInStaff
from store.webhook_secrets import WebhookSecrets
from web.gateway.deletion import start_deprovisioning
from web.openapi import STRING, json_body
from web.services import Services, Svc
from web.staff_auth import staff_from_request

router = APIRouter(tags=["api"])
#: The body of ``POST /api/webhooks``.
WEBHOOK = {
    "type": "object",
    "properties": {"url": STRING, "event_types": {"type": "array", "items": STRING}},
    "required": ["url", "event_types"],
}

MAX_BODY = 64 * 1024


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"status": status, "detail": detail}, status_code=status)


def _admin(request: Request) -> SignedInStaff | JSONResponse:
    staff = staff_from_request(request)
    if staff is None:
        return _problem(401, "A staff bearer token is required.")
    if staff.staff.role != "admin":
        return _problem(403, "Only admins may do this.")
    return staff


Admin = Annotated[SignedInStaff | JSONResponse, Depends(_admin)]


@router.post("/api/erasure/{event_id}/ack")
async def acknowledge(event_id: str, request: Request, svc: Svc) -> Response:
    """Record one system's acknowledgement of an erasure request (signature checked first)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return _problem(413, "The body is too large.")
    headers = {k.lower(): v for k, v in request.headers.items()}
    event = _event(svc, event_id)
    if event is None or event.type != ERASURE_REQUESTED or event.customer_id is None:
        return _problem(404, "There is no such erasure request.")
    subscription_id = _signer(svc, body, headers)
    if subscription_id is None:
        return _problem(401, "The signature does not match any subscribed system's secret.")
    gateway = await svc.gateway()
    if not await gateway.acknowledge_erasure(event.customer_id, subscription_id):
        return _problem(409, "This erasure is already complete; the acknowledgement came too late.")
    return JSONResponse({"acknowledged": event_id, "subscription": subscription_id}, 202)


@router.post("/api/customers/{customer_id}/deprovision")
async def deprovision(customer_id: str, request: Request, svc: Svc, admin: Admin) -> Response:
    """Start (or expedite) the customer's deprovisioning."""
    if isinstance(admin, JSONResponse):
        return admin
    grace = request.query_params.get("grace")
    if grace not in (None, "0"):
        return _problem(422, "grace must be 0 (immediately) or left out (the default period).")
    with session_for(svc.settings.database_url) as db:
        customer = db.get(Customer, customer_id)
        if customer is None or customer.status == "erased":
            return _problem(404, "There is no such customer.")
    handle = await start_deprovisioning(
        (await svc.gateway()).client,
        svc.settings,
        customer_id,
        immediate=grace == "0",
        requested_by=f"admin:{admin.staff.id}",
    )
    return JSONResponse({"journey_id": handle.id}, 202)


@router.get("/api/webhooks")
async def list_webhooks(svc: Svc, admin: Admin) -> Response:
    """Active subscriptions (never their secrets)."""
    if isinstance(admin, JSONResponse):
        return admin
    return JSONResponse(
        [json.loads(s.model_dump_json()) for s in subscriptions.listing(svc.settings)]
    )


@router.post("/api/webhooks", openapi_extra=json_body(WEBHOOK))
async def add_webhook(request: Request, svc: Svc, admin: Admin) -> Response:
    """Subscribe a URL to event types; the answer holds the secret, shown this once."""
    if isinstance(admin, JSONResponse):
        return admin
    try:
        payload: Any = json.loads(await request.body())
    except ValueError:
        return _problem(400, 'The body must be JSON: {"url": …, "event_types": […]}.')
    if not isinstance(payload, dict) or not isinstance(payload.get("url"), str):
        return _problem(422, "url (a string) is required.")
    types = payload.get("event_types")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        return _problem(422, "event_types must be a list of strings.")
    try:
        created = subscriptions.add(svc.settings, payload["url"], types)
    except subscriptions.SubscriptionError as err:
        return _problem(422, str(err))
    return JSONResponse(json.loads(created.model_dump_json()), 201)


@router.delete("/api/webhooks/{subscription_id}")
async def remove_webhook(subscription_id: str, svc: Svc, admin: Admin) -> Response:
    """Stop sending to a subscription."""
    if isinstance(admin, JSONResponse):
        return admin
    if not subscriptions.remove(svc.settings, subscription_id):
        return _problem(404, "There is no such subscription.")
    return Response(status_code=204)


def _event(svc: Services, event_id: str) -> OutboxEvent | None:
    with session_for(svc.settings.database_url) as db:
        return db.get(OutboxEvent, event_id)


def _signer(svc: Services, body: bytes, headers: dict[str, str]) -> str | None:
    """The subscription whose secret verifies the request, if any wants erasure requests."""
    box = WebhookSecrets.for_settings(svc.settings)
    with session_for(svc.settings.database_url) as db:
        rows = db.exec(
            select(WebhookSubscription).where(WebhookSubscription.removed_at.is_(None))  # type: ignore[union-attr]
        ).all()
        candidates = [(r.id, r.secret_box) for r in rows if r.wants(ERASURE_REQUESTED)]
    for subscription_id, secret_box in candidates:
        secret = box.open(secret_box, subscription_id=subscription_id)
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
        except WebhookVerificationError:
            continue
        return subscription_id
    return None

"""``POST /api/events``: business events from the product, for progressive profiling.

Authenticated with an application's API key (``Authorization: Bearer <key>``; see
``threshold apps add``). The event is delivered to the customer's ``profile`` workflow with
signal-with-start, so an event can arrive before the customer's first sign-in. ``id`` (optional)
deduplicates a retried post.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import select
from starlette.responses import JSONResponse, Response

from contracts.profiling import ProductEvent
from store.api_apps import ApiApps
from store.db import session_for
from store.models import Customer
from web.openapi import json_body
from web.services import Svc

router = APIRouter(tags=["api"])

MAX_BODY = 4096


class EventIn(BaseModel):
    """The posted event."""

    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=36)
    type: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")
    id: str | None = Field(default=None, min_length=1, max_length=128)


@router.post("/api/events", openapi_extra=json_body(EventIn))
async def post_event(request: Request, svc: Svc) -> Response:
    """Authenticate the app, validate the event, hand it to the customer's profile workflow."""
    scheme, _, api_key = request.headers.get("authorization", "").partition(" ")
    app = ApiApps(svc.settings).authenticate(api_key) if scheme.lower() == "bearer" else None
    if app is None:
        return _problem(401, "A valid application API key is required.", bearer=True)
    body = await request.body()
    if len(body) > MAX_BODY:
        return _problem(413, f"The event must be at most {MAX_BODY} bytes.")
    try:
        event = EventIn.model_validate(json.loads(body or b"null"))
    except (ValueError, ValidationError) as exc:
        errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else []
        return _problem(
            422,
            'Send JSON like {"customer": "<id>", "type": "purchase"}.',
            errors=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in errors],
        )
    with session_for(svc.settings.database_url) as session:
        known = session.exec(select(Customer.id).where(Customer.id == event.customer)).first()
    if known is None:
        return _problem(404, "No such customer.")
    gateway = await svc.gateway()
    await gateway.count_product_event(
        event.customer, ProductEvent(event_id=f"{app}:{event.id or uuid.uuid4()}", type=event.type)
    )
    return JSONResponse({"accepted": True}, status_code=202)


def _problem(status: int, detail: str, *, bearer: bool = False, **extra: Any) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if bearer else {}
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)

"""Codec server for the Temporal Web UI: decode payloads for signed-in support staff only.

Who may call it: a staff member, by the staff session cookie (the UI's ``includeCredentials``
codec option; the UI and the app are the same site, so the Lax cookie is sent) or by a bearer staff
token (the UI's ``passAccessToken`` option, or scripts; ``threshold staff token``). Anonymous
callers get 401; a customer session or a non-admin asking to *encode* gets 403. CORS admits only the
configured Temporal UI origin, echoed exactly with credentials allowed; other origins get no CORS
headers, so their pages cannot read an answer. The UI sends ``X-Namespace``: a namespace other than
this deployment's is refused. Every decode is written to the audit trail (who, namespace, which
workflow when the Referer names one, how many payloads).

Secrets stay unreadable even here: they were sealed before they reached history, so a decoded
payload shows only ``{"kid": …, "box": …}``.
"""

from __future__ import annotations

import asyncio
import logging
import re

from fastapi import APIRouter, Request
from google.protobuf import json_format
from starlette.responses import JSONResponse, Response
from temporalio.api.common.v1 import Payloads

from core.codec import EncryptionCodec
from store import audit
from store.staff import SignedInStaff
from web.openapi import STRING, json_body
from web.services import Services, Svc, signed_in
from web.staff_auth import staff_from_request

router = APIRouter(prefix="/codec", tags=["codec"])
#: ``temporal.api.common.v1.Payloads`` as JSON (what the Temporal UI posts).
PAYLOADS = {
    "type": "object",
    "properties": {
        "payloads": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "metadata": {"type": "object", "additionalProperties": STRING},
                    "data": STRING,
                },
            },
        }
    },
}

MAX_BODY_BYTES = 4 * 1024 * 1024
ALLOWED_HEADERS = "content-type, x-namespace, authorization"
WORKFLOW_IN_PAGE = re.compile(r"/workflows/([^/?#]+)")

log = logging.getLogger("threshold.web.codec")


@router.options("/{operation}", include_in_schema=False)
async def preflight(operation: str, request: Request, svc: Svc) -> Response:
    """CORS preflight for the UI origin only."""
    return _with_cors(Response(status_code=204), request, svc)


@router.post("/{operation}", openapi_extra=json_body(PAYLOADS))
async def transcode(operation: str, request: Request, svc: Svc) -> Response:
    """``/codec/encode`` and ``/codec/decode`` as the Temporal UI calls them."""
    if operation not in {"encode", "decode"}:
        return _with_cors(JSONResponse({"error": "unknown operation"}, 404), request, svc)
    staff, denied = _authorize(request, svc, operation)
    if denied is not None:
        return _with_cors(denied, request, svc)
    assert staff is not None
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _with_cors(JSONResponse({"error": "payload too large"}, 413), request, svc)
    payloads = Payloads()
    try:
        json_format.Parse(body, payloads)
    except json_format.ParseError:
        return _with_cors(JSONResponse({"error": "body is not a Payloads JSON"}, 400), request, svc)
    codec = EncryptionCodec(svc.settings.codec_keyring)
    try:
        if operation == "encode":
            result = await codec.encode(payloads.payloads)
        else:
            result = await codec.decode(payloads.payloads)
    except ValueError as err:
        return _with_cors(JSONResponse({"error": str(err)}, 422), request, svc)
    await _audit(request, svc, staff, operation, len(result))
    answer = json_format.MessageToJson(Payloads(payloads=result))
    return _with_cors(Response(answer, media_type="application/json"), request, svc)


def _authorize(
    request: Request, svc: Services, operation: str
) -> tuple[SignedInStaff | None, Response | None]:
    staff = staff_from_request(request)
    if staff is None:
        if signed_in(request) is not None:
            return None, JSONResponse({"error": "support staff only"}, 403)
        return None, JSONResponse({"error": "sign in at /support/login first"}, 401)
    if operation == "encode" and staff.staff.role != "admin":
        return None, JSONResponse({"error": "encoding is for admins only"}, 403)
    namespace = request.headers.get("x-namespace")
    if namespace and namespace != svc.settings.temporal_namespace:
        return None, JSONResponse({"error": f"this codec does not serve {namespace!r}"}, 403)
    return staff, None


async def _audit(
    request: Request, svc: Services, staff: SignedInStaff, operation: str, count: int
) -> None:
    page = WORKFLOW_IN_PAGE.search(request.headers.get("referer", ""))
    workflow_id = page.group(1) if page else None
    namespace = request.headers.get("x-namespace") or svc.settings.temporal_namespace
    await asyncio.to_thread(
        audit.record,
        svc.settings.database_url,
        f"codec.{operation}",
        journey_id=workflow_id,
        staff_id=staff.staff.id,
        namespace=namespace,
        payloads=count,
    )
    log.info(
        "codec %s by staff %s: %d payloads, namespace %s, workflow %s",
        operation,
        staff.staff.id,
        count,
        namespace,
        workflow_id or "not named by the caller",
    )


def _with_cors(response: Response, request: Request, svc: Services) -> Response:
    origin = request.headers.get("origin")
    if origin and origin == svc.settings.temporal_ui_url.rstrip("/"):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
    return response

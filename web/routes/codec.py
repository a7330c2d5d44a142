"""Codec server for the Temporal Web UI (``--ui-codec-endpoint``): decode payloads for support.

CORS admits only the configured Temporal UI origin. In development the endpoint is open to that
origin; elsewhere it requires ``Authorization: Bearer $THRESHOLD_CODEC_TOKEN`` and is disabled when
no token is configured. Secrets stay unreadable even here: they were sealed before they reached
history, so a decoded payload shows only ``{"kid": …, "box": …}``.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from google.protobuf import json_format
from starlette.responses import JSONResponse, Response
from temporalio.api.common.v1 import Payloads

from journeys.kit.converter import EncryptionCodec
from web.services import Services, Svc

router = APIRouter(prefix="/codec")

MAX_BODY_BYTES = 4 * 1024 * 1024
ALLOWED_HEADERS = "content-type, x-namespace, authorization"


@router.options("/{operation}")
async def preflight(operation: str, request: Request, svc: Svc) -> Response:
    """CORS preflight for the UI origin only."""
    return _with_cors(Response(status_code=204), request, svc)


@router.post("/{operation}")
async def transcode(operation: str, request: Request, svc: Svc) -> Response:
    """``/codec/encode`` and ``/codec/decode`` as the Temporal UI calls them."""
    if operation not in {"encode", "decode"}:
        return _with_cors(JSONResponse({"error": "unknown operation"}, 404), request, svc)
    denied = _authorize(request, svc)
    if denied is not None:
        return _with_cors(denied, request, svc)
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
    answer = json_format.MessageToJson(Payloads(payloads=result))
    return _with_cors(Response(answer, media_type="application/json"), request, svc)


def _authorize(request: Request, svc: Services) -> Response | None:
    if svc.settings.environment == "development":
        return None
    expected = svc.settings.codec_token
    if not expected:
        return JSONResponse({"error": "codec endpoint disabled: set THRESHOLD_CODEC_TOKEN"}, 403)
    presented = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(presented, expected):
        return JSONResponse({"error": "not authorized"}, 401)
    return None


def _with_cors(response: Response, request: Request, svc: Services) -> Response:
    origin = request.headers.get("origin")
    if origin and origin == svc.settings.temporal_ui_url.rstrip("/"):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
    return response

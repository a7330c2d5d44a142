"""HTTP plumbing of the SCIM API: bounded JSON bodies, ``application/scim+json`` answers, errors.

Every failure leaves as a SCIM ``Error`` (RFC 7644 §3.12) with its ``scimType`` and status: the
route class below turns scim2-models' exceptions and pydantic validation errors into one, so no
bad input reaches the app's HTML error pages or becomes a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import ValidationError
from scim2_models import (
    Error,
    InvalidSyntaxException,
    PayloadTooLargeException,
    SCIMException,
)
from starlette.responses import Response

from web.scim.catalog import Limits

MEDIA_TYPE = "application/scim+json"
log = logging.getLogger("threshold.scim")


def scim_response(
    payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A SCIM JSON response."""
    return Response(
        json.dumps(payload, separators=(",", ":")),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def error_response(error: Error, headers: dict[str, str] | None = None) -> Response:
    """The response carrying one SCIM ``Error``."""
    return scim_response(error.model_dump(), error.status or 400, headers)


class UnsupportedMediaType(SCIMException):
    """415: the body is not declared as JSON (SCIM defines no ``scimType`` for it)."""

    status = 415
    _default_detail = f"Send the body as {MEDIA_TYPE}."


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, at most :attr:`Limits.MAX_BODY_BYTES`.

    Raises :class:`UnsupportedMediaType` (415), :class:`PayloadTooLargeException` (413) or
    :class:`InvalidSyntaxException` (400).
    """
    if not is_json(request):
        raise UnsupportedMediaType()
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > Limits.MAX_BODY_BYTES):
        raise PayloadTooLargeException(
            detail=f"The body is larger than {Limits.MAX_BODY_BYTES} bytes."
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > Limits.MAX_BODY_BYTES:
            raise PayloadTooLargeException(
                detail=f"The body is larger than {Limits.MAX_BODY_BYTES} bytes."
            )
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidSyntaxException(detail=f"The body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    return payload


def is_json(request: Request) -> bool:
    """Whether the body is declared as JSON (``application/scim+json`` or ``application/json``)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind in {MEDIA_TYPE, "application/json"}


class ScimRoute(APIRoute):
    """Routes whose every failure becomes a SCIM error response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the SCIM error mapping."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SCIMException as exc:
                return error_response(exc.to_error())
            except ValidationError as exc:
                return error_response(_first_error(exc))
            except Exception:
                log.exception("unhandled error on SCIM %s %s", request.method, request.url.path)
                return error_response(
                    Error(status=503, detail="Something went wrong on our side; try again.")
                )

        return handle


def _first_error(exc: ValidationError) -> Error:
    errors = Error.from_validation_errors(exc)
    error = errors[0] if errors else Error(status=400, scim_type="invalidValue")
    if len(errors) > 1:
        error.detail = "; ".join(e.detail or "" for e in errors)
    return error

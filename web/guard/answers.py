"""The shape of a refusal: the error page for browsers, each API's own JSON error otherwise."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from web.services import services

SCIM_PREFIX = "/scim/"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
#: OAuth endpoints answered in RFC 6749 §5.2 JSON (the authorize and logout pages are HTML).
OAUTH_JSON = ("/oauth2/token", "/oauth2/revoke", "/oauth2/userinfo", "/oauth2/jwks")
#: Other JSON APIs: their errors are ``{"detail": …}`` like FastAPI's.
JSON_PREFIXES = ("/api/", "/codec/", "/.well-known/", SCIM_PREFIX, *OAUTH_JSON)

TITLES = {413: "Request too large", 415: "Unsupported content"}


def is_json_api(path: str) -> bool:
    """Whether ``path`` belongs to a JSON API rather than a page."""
    return path.startswith(JSON_PREFIXES)


def problem(request: Request, status: int, message: str, *, title: str = "") -> Response:
    """An answer saying ``message`` with ``status``, shaped for the endpoint it refuses."""
    path = request.url.path
    if path.startswith(SCIM_PREFIX):
        body: dict[str, object] = {
            "schemas": [SCIM_ERROR],
            "status": str(status),
            "detail": message,
        }
        if status == 400:
            body["scimType"] = "invalidSyntax"
        return JSONResponse(body, status, media_type="application/scim+json")
    if path.startswith(OAUTH_JSON):
        error = "invalid_request" if status < 500 else "server_error"
        return JSONResponse({"error": error, "error_description": message}, status)
    if is_json_api(path):
        return JSONResponse({"detail": message}, status)
    heading = title or TITLES.get(status, "Request not accepted")
    return services(request).pages.error(request, status, heading, message)

"""Small typed helpers for HTMX requests and responses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.redirects import safe_local_path


def is_htmx(request: Request) -> bool:
    """An HTMX swap request (not a history restore, which needs the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def redirect(request: Request, url: str) -> Response:
    """303 for a plain browser; ``HX-Redirect`` for HTMX, which does not follow 303 into a page.

    ``url`` is rebuilt as a local path whoever built it, so no caller can send a browser away.
    """
    url = safe_local_path(url, default="/")
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)

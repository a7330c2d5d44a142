"""``create_app()`` assembles the web app: routers, static files and security headers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from temporalio.client import Client

from core.settings import Settings, load_settings
from web.access_log import log_access
from web.routes import (
    account,
    api_events,
    codec,
    consents,
    deletion,
    dev_mail,
    erasure_api,
    export,
    health,
    idp,
    invite,
    journeys,
    linked_accounts,
    oidc,
    passkeys,
    profile,
    recovery,
    scim,
    security,
    support,
)
from web.services import Services, services
from web.telemetry import instrument

STATIC = Path(__file__).with_name("static")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

log = logging.getLogger("threshold.web")


def create_app(settings: Settings | None = None, *, client: Client | None = None) -> FastAPI:
    """The ASGI app; tests pass ``settings`` and an already-connected ``client``."""
    app = FastAPI(title="Threshold", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = Services(settings or load_settings(), client=client)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    routers = (
        journeys,
        account,
        health,
        codec,
        dev_mail,
        support,
        security,
        scim,
        invite,
        oidc,
        idp,
        linked_accounts,
    )
    for module in (*routers, passkeys, recovery, deletion, erasure_api, export, consents):
        app.include_router(module.router)
    app.include_router(api_events.router)
    app.include_router(profile.router)
    app.middleware("http")(_security_headers)
    app.middleware("http")(log_access)
    instrument(app, app.state.services.settings)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(Exception)(_unexpected_error)
    return app


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    vary = headers.get("Vary")
    headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    if not request.url.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Page not found", 405: "Method not allowed"}
    title = titles.get(exc.status_code, "Request not accepted")
    return services(request).pages.error(request, exc.status_code, title, str(exc.detail))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return services(request).pages.error(
        request,
        503,
        "Something went wrong on our side",
        "Nothing you entered was lost. Please try again in a moment.",
    )

"""``create_app()`` assembles the web app: routers, static files and the guarded edge."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from temporalio.client import Client

from core.settings import Settings, load_settings
from web import guard
from web.access_log import log_access
from web.openapi import JSON_API_TAGS
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


def create_app(settings: Settings | None = None, *, client: Client | None = None) -> FastAPI:
    """The ASGI app; tests pass ``settings`` and an already-connected ``client``."""
    app = FastAPI(title="Threshold", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
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
        app.include_router(module.router, include_in_schema=_is_json_api(module.router))
    app.include_router(api_events.router)
    app.include_router(profile.router, include_in_schema=False)
    guard.install(app)
    app.middleware("http")(log_access)
    instrument(app, app.state.services.settings)
    app.exception_handler(StarletteHTTPException)(_http_error)
    return app


def _is_json_api(router: APIRouter) -> bool:
    """Whether a router serves a JSON API (described in ``/openapi.json``) rather than pages."""
    return any(tag in JSON_API_TAGS for tag in router.tags)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Page not found", 405: "Method not allowed"}
    title = titles.get(exc.status_code, "Request not accepted")
    return services(request).pages.error(request, exc.status_code, title, str(exc.detail))

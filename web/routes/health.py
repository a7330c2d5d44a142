"""``/healthz``: is this web process able to serve journeys (database and Temporal reachable)?"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import text
from starlette.responses import JSONResponse

from store.db import engine_for
from web.services import Svc

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 3.0


@router.get("/healthz")
async def healthz(svc: Svc) -> JSONResponse:
    """200 when both dependencies answer, 503 (with which one failed) otherwise."""
    checks = {"database": "ok", "temporal": "ok"}
    try:
        await asyncio.wait_for(
            asyncio.to_thread(_ping_database, svc.settings.database_url), CHECK_TIMEOUT_SECONDS
        )
    except Exception as err:  # noqa: BLE001 — any failure means unhealthy; report its type
        checks["database"] = f"error: {type(err).__name__}"
    try:
        gateway = await asyncio.wait_for(svc.gateway(), CHECK_TIMEOUT_SECONDS)
        await gateway.ping(timedelta(seconds=CHECK_TIMEOUT_SECONDS))
    except Exception as err:  # noqa: BLE001
        checks["temporal"] = f"error: {type(err).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", **checks}, 200 if healthy else 503
    )


def _ping_database(url: str) -> None:
    with engine_for(url).connect() as connection:
        connection.execute(text("SELECT 1"))

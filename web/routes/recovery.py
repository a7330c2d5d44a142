"""``/recover``: the friendly URL of the account recovery journey (linked from the sign-in page).

The journey itself is served by the generic routes at ``/j/recovery``; its pages carry
``Referrer-Policy: no-referrer`` because the journey declares it (``Journey.referrer_policy``).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

router = APIRouter()


@router.get("/recover")
async def recover() -> Response:
    """Start account recovery; ``no-referrer`` so no page of the journey leaks its URL."""
    response = RedirectResponse("/j/recovery", status_code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

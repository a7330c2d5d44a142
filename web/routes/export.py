"""Data export pages: ask for a copy (``/account/export``), download it once with the emailed link.

Asking needs a recent sign-in (the file holds everything about the customer); the download needs
the link's token (a keyed hash is stored) AND the owner's session: a forwarded or leaked link is
useless to anyone else, and another signed-in customer gets the same 404 as for no export at all.
It works once and only until the link expires.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy import update
from sqlmodel import col
from starlette.responses import RedirectResponse, Response

from core.security.hashing import matches
from core.security.links import ExportKeys
from journeys.export import ExportStart
from store.db import session_for
from store.export_models import DataExport
from store.models import utcnow
from web.account_forms import csrf_form, to_login, to_reauth
from web.account_sessions import AccountSessions
from web.services import MaybeCustomer, Services, Svc

router = APIRouter()

EXPORT_PAGE = "/account/export"
TOKEN_CHARS = 64


@router.get(EXPORT_PAGE)
async def explain(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """What the export holds and the button to ask for it."""
    if me is None:
        return to_login(EXPORT_PAGE)
    if not AccountSessions.recently_authenticated(me):
        return to_reauth(EXPORT_PAGE)
    return svc.pages.page(request, "account/export.html", {"me": me, "asked": False})


@router.post(EXPORT_PAGE)
async def ask(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Start the export journey; the link arrives by email."""
    form = await csrf_form(request, svc, max_fields=8)
    if isinstance(form, Response):
        return form
    if me is None:
        return to_login(EXPORT_PAGE)
    if not AccountSessions.recently_authenticated(me):
        return to_reauth(EXPORT_PAGE)
    gateway = await svc.gateway()
    await gateway.start_export(ExportStart(customer_id=me.customer.id))
    return svc.pages.page(request, "account/export.html", {"me": me, "asked": True})


@router.get(EXPORT_PAGE + "/{export_id}")
async def download(export_id: str, request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The JSON file, once, while the link is valid, to the customer it belongs to."""
    token = request.query_params.get("token", "")
    if len(token) != TOKEN_CHARS or not all(c in "0123456789abcdef" for c in token):
        return svc.pages.error(
            request, 400, "This link does not work", "Copy the whole link from the email."
        )
    if me is None:
        back = f"{request.url.path}?{urlencode({'token': token})}"
        return RedirectResponse("/login?" + urlencode({"return_to": back}), status_code=303)
    keys = ExportKeys(svc.settings)
    with session_for(svc.settings.database_url) as db:
        row = db.get(DataExport, export_id)
        if (
            row is None
            or row.customer_id != me.customer.id
            or not matches(row.token_hash, keys.lookup_key, token)
        ):
            return _gone(request, svc, 404, "There is no export behind this link.")
        if row.consumed_at is not None or row.expires_at <= utcnow():
            return _gone(request, svc, 410, "This link was used already or has expired.")
        claimed = db.execute(
            update(DataExport)
            .where(col(DataExport.id) == export_id, col(DataExport.consumed_at).is_(None))
            .values(consumed_at=utcnow())
        )
        if not getattr(claimed, "rowcount", 0):  # a parallel download won the race
            return _gone(request, svc, 410, "This link was used already or has expired.")
        document = keys.open(row.id, row.box)
    return Response(
        document,
        media_type="application/json",
        headers={
            "content-disposition": 'attachment; filename="threshold-export.json"',
            "cache-control": "no-store",
        },
    )


def _gone(request: Request, svc: Services, status: int, message: str) -> Response:
    return svc.pages.error(request, status, "This link does not work", message)

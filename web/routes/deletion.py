"""Deleting one's account: ``/account/delete`` (re-authenticated, explained, confirmed) and the
cancel link ``/account/delete/cancel`` from the emails.

The page only starts (or, through the cancel link, steers) the deprovisioning journey; the grace
period, the reminder, the erasure and everything after live in the journey. The cancel link's GET
only shows a button: mail scanners that prefetch links must not cancel anyone's deletion.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from sqlmodel import select
from starlette.responses import Response

from core.security.links import cancel_token_hash
from store.db import session_for
from store.deprovisioning_models import DeletionRequest
from web.account_forms import csrf_form, to_login, to_reauth
from web.account_sessions import AccountSessions
from web.cookies import CookieJar
from web.gateway.deletion import decide, start_deprovisioning
from web.services import MaybeCustomer, Services, Svc

router = APIRouter()

DELETE_PAGE = "/account/delete"
MAX_FORM_FIELDS = 8
TOKEN_CHARS = 64


@router.get(DELETE_PAGE)
async def explain(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """What deleting means, and the confirmation form (after a fresh re-authentication)."""
    if me is None:
        return to_login(DELETE_PAGE)
    if not AccountSessions.recently_authenticated(me):
        return to_reauth(DELETE_PAGE)
    return _explain(request, svc, error="", status=200)


@router.post(DELETE_PAGE)
async def confirm(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Start the deprovisioning journey; this browser is signed out with every other one."""
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS)
    if isinstance(form, Response):
        return form
    if me is None:
        return to_login(DELETE_PAGE)
    if not AccountSessions.recently_authenticated(me):
        return to_reauth(DELETE_PAGE)
    if form.get("confirm") != "on":
        return _explain(
            request, svc, error="Tick the box to confirm you want your account deleted.", status=422
        )
    gateway = await svc.gateway()
    await start_deprovisioning(
        gateway.client, svc.settings, me.customer.id, immediate=False, requested_by="customer"
    )
    ends = datetime.now(UTC) + svc.settings.deletion_grace
    response = svc.pages.page(
        request,
        "account/delete_scheduled.html",
        {
            "date": f"{ends:%d %B %Y, %H:%M UTC}",
            "grace": bool(svc.settings.deletion_grace),
            "me": None,
        },
    )
    svc.cookies.clear(response, CookieJar.SESSION)
    return response


@router.get(f"{DELETE_PAGE}/cancel")
async def cancel_page(request: Request, svc: Svc) -> Response:
    """The emailed link: a button to keep the account (GET never changes anything)."""
    token = request.query_params.get("token", "")
    problem = _token_problem(svc, token)
    if problem:
        return svc.pages.error(request, problem[0], "This link does not work", problem[1])
    return svc.pages.page(request, "account/delete_cancel.html", {"token": token, "done": False})


@router.post(f"{DELETE_PAGE}/cancel")
async def cancel(request: Request, svc: Svc) -> Response:
    """Keep the account: the journey restores it exactly as it was."""
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS)
    if isinstance(form, Response):
        return form
    token = form.get("token", "")
    problem = _token_problem(svc, token)
    if problem:
        return svc.pages.error(request, problem[0], "This link does not work", problem[1])
    row = _pending(svc, token)
    assert row is not None
    gateway = await svc.gateway()
    if not await decide(gateway.client, row.customer_id, keep=True):
        return svc.pages.error(
            request, 409, "Too late to cancel", "The deletion has already started."
        )
    return svc.pages.page(request, "account/delete_cancel.html", {"token": "", "done": True})


def _token_problem(svc: Services, token: str) -> tuple[int, str] | None:
    if not token or len(token) != TOKEN_CHARS or not all(c in "0123456789abcdef" for c in token):
        return 400, "The link is incomplete. Copy the whole link from the email."
    if _pending(svc, token) is None:
        return 404, "There is no deletion to cancel: it was cancelled already or has completed."
    return None


def _pending(svc: Services, token: str) -> DeletionRequest | None:
    with session_for(svc.settings.database_url) as db:
        return db.exec(
            select(DeletionRequest).where(
                DeletionRequest.cancel_token_hash == cancel_token_hash(svc.settings, token)
            )
        ).first()


def _explain(request: Request, svc: Services, *, error: str, status: int) -> Response:
    reminder = svc.settings.deletion_reminder
    return svc.pages.page(
        request,
        "account/delete.html",
        {
            "grace": in_words(svc.settings.deletion_grace),
            "reminder": "" if reminder is None else in_words(reminder),
            "error": error,
        },
        status=status,
    )


def in_words(duration: timedelta) -> str:
    """``30 days``, ``1 day and 12 hours``, ``2 minutes``: the settings, as the pages promise
    them (empty for none); the two largest units, so a promise never claims more than is true."""
    left = int(duration.total_seconds())
    parts = []
    for unit, seconds in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, left = divmod(left, seconds)
        if count:
            parts.append(f"{count} {unit}{'s' if count > 1 else ''}")
    return " and ".join(parts[:2])

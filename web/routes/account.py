"""The signed-in customer's pages: home, account, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web.account_forms import csrf_form
from web.account_sessions import device_of
from web.cookies import CookieJar
from web.gateway import JourneyGateway
from web.services import MaybeCustomer, Svc

router = APIRouter()


@router.get("/")
async def home(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Landing page: create an account, or go to it."""
    return svc.pages.page(request, "home.html", {"me": me})


@router.get("/account")
async def account(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The account overview; signed-out visitors are sent to the landing page."""
    if me is None:
        return RedirectResponse("/", status_code=303)
    sessions = svc.sessions.active_for(me.customer.id)
    return svc.pages.page(
        request,
        "account.html",
        {
            "me": me,
            "sessions": [(device_of(s), s) for s in sessions],
            "current": me.session.id_hash,
            "journey_links": JourneyGateway.account_links(),
        },
    )


@router.post("/logout")
async def logout(request: Request, svc: Svc) -> Response:
    """Revoke this browser's session server-side, then forget the cookie."""
    form = await csrf_form(request, svc, max_fields=8)
    if isinstance(form, Response):
        return form
    session_id = request.cookies.get(svc.cookies.name(CookieJar.SESSION))
    if session_id:
        svc.sessions.revoke(session_id)
    response = RedirectResponse("/", status_code=303)
    svc.cookies.clear(response, CookieJar.SESSION)
    return response

"""Sign-in security pages: second factors, sessions and re-authentication.

Plain routes rather than journeys: each change is one short request, and the secrets involved
(the TOTP seed in the QR code, the recovery codes) must be shown to the customer, which would put
them into a journey's history. Every POST checks CSRF; every change to sign-in factors needs an
authentication at most :data:`~web.account_sessions.REAUTH_WINDOW` old, else the customer is sent
through ``/account/reauth`` (the login journey in re-authentication mode) and back.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from core.security.totp import TotpKeys
from journeys.login import LoginStart
from store.factors import FactorStore
from store.known_devices import KnownDevices
from store.models import utcnow
from web import client_hints
from web.account_forms import csrf_form, to_login, to_reauth
from web.account_sessions import AccountSessions
from web.redirects import safe_local_path
from web.services import Gateway, MaybeCustomer, Services, Svc
from web.sessions import SignedIn

router = APIRouter()

SECURITY_PAGE = "/account/security"
SESSIONS_PAGE = "/account/sessions"
NOTICES = {
    "totp-on": "Your authenticator app is on: unusual sign-ins will ask for a code from it.",
    "totp-off": "Your authenticator app was removed.",
    "revoked": "That browser was signed out.",
    "revoked-others": "Every other browser was signed out.",
    "forgotten": "That device was forgotten: signing in on it will ask for your second step again.",
}
MAX_FORM_FIELDS = 8
MAX_CODE_CHARS = 16


@router.get("/account/reauth")
async def reauth(request: Request, svc: Svc, gateway: Gateway, me: MaybeCustomer) -> Response:
    """Start the login journey in re-authentication mode for the signed-in customer."""
    if me is None:
        return _to_login(request)
    device, new_device = svc.devices.identify(request)
    start = LoginStart(
        return_to=safe_local_path(request.query_params.get("return_to"), SECURITY_PAGE),
        client_ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:512],
        device=device,
        client_hints=client_hints.read(request),
        reauth_customer_id=me.customer.id,
    )
    journey_id, _ = await gateway.start("login", start)
    response = RedirectResponse(f"/j/login/{journey_id}", status_code=303)
    svc.binding.bind(request, response, journey_id)
    if new_device:
        svc.devices.remember(response, new_device)
    return response


@router.get(SECURITY_PAGE)
async def security(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The customer's second factors and what they can do with them."""
    if me is None:
        return _to_login(request)
    store = FactorStore(svc.settings)
    enrolled = store.enrolled(me.customer.id)
    return _page(
        request,
        svc,
        "account/security.html",
        me,
        {
            "totp_on": "totp" in enrolled,
            "codes_left": store.recovery_codes_left(me.customer.id),
            "email_step_up": svc.settings.email_step_up,
            "recent": AccountSessions.recently_authenticated(me),
        },
    )


@router.post("/account/totp/begin")
async def totp_begin(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Create a pending authenticator seed and show its QR code."""
    gate = await _gate(request, svc, me)
    if isinstance(gate, Response):
        return gate
    try:
        FactorStore(svc.settings).begin_totp(gate.customer.id)
    except ValueError as err:
        return svc.pages.error(request, 409, "Already set up", str(err))
    return RedirectResponse("/account/totp", status_code=303)


@router.get("/account/totp")
async def totp_page(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The QR code and manual key of the pending seed, and the form to confirm it."""
    if me is None:
        return _to_login(request)
    if not AccountSessions.recently_authenticated(me):
        return to_reauth("/account/totp")
    return _totp_page(request, svc, me, status=200, error="")


@router.post("/account/totp/confirm")
async def totp_confirm(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Turn the authenticator on once the customer typed a right code from it."""
    posted = await _signed_in_post(request, svc, me)
    if isinstance(posted, Response):
        return posted
    gate, form = posted
    code = form.get("code", "").strip()
    if not (code.isascii() and code.isdigit() and len(code) == TotpKeys.DIGITS):
        return _totp_page(request, svc, gate, status=422, error="Enter the 6 digits shown.")
    store = FactorStore(svc.settings)
    if store.pending_seed(gate.customer.id) is None:
        return svc.pages.error(
            request, 409, "Nothing to confirm", "Start setting up an authenticator app first."
        )
    if not store.confirm_totp(gate.customer.id, code):
        return _totp_page(
            request, svc, gate, status=422, error="That code is not right. Try the newest one."
        )
    return RedirectResponse(f"{SECURITY_PAGE}?done=totp-on", status_code=303)


@router.post("/account/totp/remove")
async def totp_remove(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Remove the authenticator app."""
    gate = await _gate(request, svc, me)
    if isinstance(gate, Response):
        return gate
    FactorStore(svc.settings).remove_totp(gate.customer.id)
    return RedirectResponse(f"{SECURITY_PAGE}?done=totp-off", status_code=303)


@router.post("/account/recovery-codes")
async def recovery_codes(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Replace the recovery codes and show the new ones, once (this response is not stored)."""
    gate = await _gate(request, svc, me)
    if isinstance(gate, Response):
        return gate
    codes = FactorStore(svc.settings).new_recovery_codes(gate.customer.id)
    return _page(request, svc, "account/recovery_codes.html", gate, {"codes": codes})


@router.get(SESSIONS_PAGE)
async def sessions(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Where the customer is signed in: device, approximate location, last seen."""
    if me is None:
        return _to_login(request)
    lines = AccountSessions(svc.settings).lines(me)
    devices = await run_in_threadpool(_known_devices(svc).list, me.customer.id)
    return _page(request, svc, "account/sessions.html", me, {"lines": lines, "devices": devices})


@router.post("/account/devices/forget")
async def forget_device(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Forget a known device (one that passed a second factor): it is asked for one again."""
    posted = await _signed_in_post(request, svc, me)
    if isinstance(posted, Response):
        return posted
    gate, form = posted
    device_id = form.get("device", "")
    forgotten = len(device_id) <= 36 and await run_in_threadpool(
        _known_devices(svc).forget, gate.customer.id, device_id, utcnow()
    )
    if not forgotten:
        return svc.pages.error(
            request, 404, "Device not found", "That device is already forgotten."
        )
    return RedirectResponse(f"{SESSIONS_PAGE}?done=forgotten", status_code=303)


@router.post("/account/sessions/revoke")
async def revoke(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Sign out one of the customer's browsers (``handle``), or every other one (``others``)."""
    posted = await _signed_in_post(request, svc, me)
    if isinstance(posted, Response):
        return posted
    gate, form = posted
    admin = AccountSessions(svc.settings)
    if form.get("scope") == "others":
        admin.revoke_others(gate)
        return RedirectResponse(f"{SESSIONS_PAGE}?done=revoked-others", status_code=303)
    handle = form.get("handle", "")
    if not handle or len(handle) > 64 or not admin.revoke(gate, handle):
        return svc.pages.error(
            request, 404, "Session not found", "That session is already signed out."
        )
    if handle == admin.handle(gate.session.id_hash):
        return RedirectResponse("/", status_code=303)
    return RedirectResponse(f"{SESSIONS_PAGE}?done=revoked", status_code=303)


# ----- helpers -------------------------------------------------------------------------------


async def _gate(request: Request, svc: Services, me: SignedIn | None) -> SignedIn | Response:
    """CSRF, signed in, and a recent authentication, for every factor change."""
    posted = await _signed_in_post(request, svc, me)
    if isinstance(posted, Response):
        return posted
    signed, _ = posted
    if not AccountSessions.recently_authenticated(signed):
        return to_reauth(SECURITY_PAGE)
    return signed


def _known_devices(svc: Services) -> KnownDevices:
    return KnownDevices(svc.settings.database_url, svc.settings.derive_key("risk-features"))


async def _signed_in_post(
    request: Request, svc: Services, me: SignedIn | None
) -> tuple[SignedIn, dict[str, str]] | Response:
    """A post's form, CSRF-checked, from a signed-in customer."""
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS)
    if isinstance(form, Response):
        return form
    if me is None:
        return _to_login(request)
    return me, form


def _to_login(request: Request) -> Response:
    return to_login(request.url.path if request.method == "GET" else SECURITY_PAGE)


def _totp_page(
    request: Request, svc: Services, me: SignedIn, *, status: int, error: str
) -> Response:
    seed = FactorStore(svc.settings).pending_seed(me.customer.id)
    if seed is None:
        return RedirectResponse(SECURITY_PAGE, status_code=303)
    uri = TotpKeys.provisioning_uri(seed, account=me.customer.email)
    return _page(
        request,
        svc,
        "account/totp.html",
        me,
        {"qr": TotpKeys.qr_data_uri(uri), "seed": seed, "error": error},
        status=status,
    )


def _page(
    request: Request,
    svc: Services,
    template: str,
    me: SignedIn,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> Response:
    notice = NOTICES.get(request.query_params.get("done", ""), "")
    return svc.pages.page(request, template, {"me": me, "notice": notice, **context}, status=status)

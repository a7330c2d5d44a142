"""``/support``: staff sign-in, finding a customer's journeys, acting on them, and funnels.

Every page needs a staff session (anonymous visitors are sent to ``/support/login``); every POST
needs the CSRF token. Emails are posted, never put in a URL, so they stay out of logs and history.
The sign-in also serves staff-only OpenID clients (the Temporal UI): ``return_to`` brings the
browser back to their ``/oauth2/authorize`` request once signed in.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from contracts.support import MAX_EXTEND_MINUTES, SupportRequest
from store.staff import LoginRefused, SignedInStaff, StaffDirectory, StaffError
from web.charts import Bar, BarChart
from web.csrf import CsrfError
from web.gateway.funnels import Funnel, all_funnels
from web.gateway.support import SupportActionFailed, act, find_journeys
from web.redirects import safe_local_path
from web.risk_decisions import recent_decisions
from web.services import Services, Svc
from web.staff_auth import STAFF_COOKIE, MaybePendingStaff, MaybeStaff, directory

router = APIRouter(prefix="/support")

ACTIONS = ("resend", "extend", "cancel")
PERIODS = (1, 7, 30, 90)
MAX_FIELD = 512
OUTCOME_COLOURS = {
    "completed": "#067647",
    "expired": "#b54708",
    "failed": "#b42318",
    "cancelled": "#616e7c",
}


#: Where a staff sign-in may return to: the staff pages, or an authorization request (a
#: staff-only client such as the Temporal UI; a customer client ignores the staff session).
RETURN_TO = ("/support", "/oauth2/authorize")
HOME = "/support"


def _return_to(raw: object) -> str:
    """``raw`` rebuilt as a local path if it goes to :data:`RETURN_TO`, else :data:`HOME`."""
    path = safe_local_path(raw, default=HOME)
    return path if path.split("?", 1)[0] in RETURN_TO else HOME


@router.get("/login")
async def login_page(request: Request, svc: Svc, return_to: str = "") -> Response:
    """The staff sign-in form (saying so when an application for staff sent the browser)."""
    return _login_form(request, svc, 200, "", "", _return_to(return_to))


@router.post("/login")
async def login(request: Request, svc: Svc) -> Response:
    """Password + TOTP code; issues a staff session cookie (never a customer session)."""
    form, refused = await _checked_form(request, svc)
    if refused is not None:
        return refused
    email, password, code = (_text(form, name) for name in ("email", "password", "code"))
    back = _return_to(form.get("return_to"))
    if not email or not password or not code:
        message = "Enter your email, password and code."
        return _login_form(request, svc, 400, message, email, back)
    staff = directory(request)
    device, new_device = svc.devices.identify(request)
    try:
        member = await asyncio.to_thread(
            staff.authenticate,
            email,
            password,
            code,
            device=device,
            client_ip=request.client.host if request.client else "",
        )
    except LoginRefused as refusal:
        status = 429 if refusal.code == "locked" else 401
        return _login_form(request, svc, status, refusal.message, email, back)
    pending = await asyncio.to_thread(staff.must_replace_password, member.id)
    kind = StaffDirectory.PENDING if pending else "browser"
    response = await _signed_in(request, svc, member.id, kind, back)
    if new_device:
        svc.devices.remember(response, new_device)  # this browser is now known to the account
    return response


@router.get("/password")
async def password_page(request: Request, svc: Svc, me: MaybePendingStaff) -> Response:
    """Choose a new password: required once, before anything else, after the first sign-in."""
    if me is None:
        return RedirectResponse("/support/login", status_code=303)
    return _password_form(request, svc, me)


@router.post("/password")
async def change_password(request: Request, svc: Svc, me: MaybePendingStaff) -> Response:
    """Replace the password (NIST policy), then rotate the session into a full one."""
    if me is None:
        return RedirectResponse("/support/login", status_code=303)
    form, refused = await _checked_form(request, svc)
    if refused is not None:
        return refused
    new, again = _secret(form, "new_password"), _secret(form, "confirm_password")
    if not new or new != again:
        return _password_form(request, svc, me, 400, "Type the same new password twice.")
    staff = directory(request)
    try:
        await asyncio.to_thread(staff.replace_password, me.staff.id, new)
    except StaffError as err:
        return _password_form(request, svc, me, 400, str(err))
    raw = request.cookies.get(svc.cookies.name(STAFF_COOKIE))
    if raw:
        await asyncio.to_thread(staff.revoke, raw)
    return await _signed_in(request, svc, me.staff.id, "browser")


async def _signed_in(
    request: Request, svc: Services, staff_id: str, kind: str, back: str = HOME
) -> Response:
    """A new staff session of ``kind`` in the cookie, and off to where it may go (``back``, once
    the initial password is replaced)."""
    session_id = await asyncio.to_thread(directory(request).issue, staff_id, kind=kind)
    target = "/support/password" if kind == StaffDirectory.PENDING else back
    response = RedirectResponse(target, status_code=303)
    svc.cookies.set(
        response,
        STAFF_COOKIE,
        session_id,
        max_age=int(StaffDirectory.ABSOLUTE.total_seconds()),
    )
    return response


def _password_form(
    request: Request, svc: Services, me: SignedInStaff, status: int = 200, error: str = ""
) -> Response:
    pending = me.session.kind == StaffDirectory.PENDING
    return svc.pages.page(
        request,
        "support/password.html",
        {"error": error, "pending": pending, "staff": me.staff},
        status=status,
    )


@router.post("/logout")
async def logout(request: Request, svc: Svc) -> Response:
    """Revoke the staff session server-side and forget the cookie."""
    _, refused = await _checked_form(request, svc)
    if refused is not None:
        return refused
    raw = request.cookies.get(svc.cookies.name(STAFF_COOKIE))
    if raw:
        await asyncio.to_thread(directory(request).revoke, raw)
    response = RedirectResponse("/support/login", status_code=303)
    svc.cookies.clear(response, STAFF_COOKIE)
    return response


@router.get("")
async def home(request: Request, svc: Svc, me: MaybeStaff) -> Response:
    """The search form."""
    if me is None:
        return RedirectResponse("/support/login", status_code=303)
    return _home(request, svc, me)


@router.post("/find")
async def find(request: Request, svc: Svc, me: MaybeStaff) -> Response:
    """The customer's journeys (step, status, age, Temporal UI links) and last risk decisions."""
    if me is None:
        return RedirectResponse("/support/login", status_code=303)
    form, refused = await _checked_form(request, svc)
    if refused is not None:
        return refused
    email = _text(form, "email")
    gateway = await svc.gateway()
    try:
        journeys = await find_journeys(gateway.client, svc.settings, email)
        decisions = await asyncio.to_thread(recent_decisions, svc.settings, email)
    except ValueError as err:
        return _home(request, svc, me, status=400, email=email, error=str(err))
    return _home(request, svc, me, email=email, journeys=journeys, decisions=decisions)


@router.post("/journeys/{workflow_id}/actions")
async def action(workflow_id: str, request: Request, svc: Svc, me: MaybeStaff) -> Response:
    """Resend a code, extend a deadline or cancel, as an update carrying the staff id."""
    if me is None:
        return RedirectResponse("/support/login", status_code=303)
    form, refused = await _checked_form(request, svc)
    if refused is not None:
        return refused
    name = _text(form, "action")
    if name not in ACTIONS:
        return _home(request, svc, me, status=400, message=f"Unknown action {name[:32]!r}.")
    minutes = 0
    if name == "extend":
        raw = _text(form, "extend_minutes")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_EXTEND_MINUTES:
            return _home(
                request,
                svc,
                me,
                status=400,
                message=f"Extend by a whole number of minutes, 1 to {MAX_EXTEND_MINUTES}.",
            )
        minutes = int(raw)
    request_ = SupportRequest(
        action=name,
        staff_id=me.staff.id,
        reason=_text(form, "reason")[:500],
        extend_minutes=minutes,
    )
    gateway = await svc.gateway()
    try:
        reply = await act(gateway.client, workflow_id[:200], request_)
    except SupportActionFailed as err:
        return _home(request, svc, me, status=409, message=str(err))
    return _home(request, svc, me, ok=reply.done, message=f"{name}: {reply.message}")


@router.get("/funnels")
async def funnels(request: Request, svc: Svc, me: MaybeStaff, days: str = "7") -> Response:
    """A server-rendered SVG funnel per journey over the chosen period."""
    if me is None:
        return RedirectResponse("/support/login", status_code=303)
    if not days.isdigit() or int(days) not in PERIODS:
        return svc.pages.error(
            request, 400, "Unknown period", f"Choose one of {', '.join(map(str, PERIODS))} days."
        )
    period = int(days)
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    since = until - timedelta(days=period)
    gateway = await svc.gateway()
    found = await all_funnels(gateway.client, since, until)
    charts = [{"journey": f.journey, "chart": _chart(f)} for f in found]
    return svc.pages.page(
        request,
        "support/funnels.html",
        {
            "staff": me.staff,
            "funnels": charts,
            "days": period,
            "periods": PERIODS,
            "since": since,
            "until": until,
        },
    )


def _chart(funnel: Funnel) -> object:
    bars = [Bar("started", funnel.started, "#1f2933")]
    bars += [Bar(f"reached {step}", count) for step, count in funnel.reached]
    bars += [Bar(name, count, OUTCOME_COLOURS[name]) for name, count in funnel.outcomes]
    bars.append(Bar("in progress", funnel.in_progress, "#9aa5b1"))
    return BarChart().render(bars, title=f"{funnel.journey} funnel")


def _home(
    request: Request,
    svc: Services,
    me: SignedInStaff,
    *,
    status: int = 200,
    email: str = "",
    error: str = "",
    message: str = "",
    ok: bool = False,
    journeys: object = None,
    decisions: object = None,
) -> Response:
    return svc.pages.page(
        request,
        "support/home.html",
        {
            "staff": me.staff,
            "email": email,
            "error": error,
            "message": message,
            "ok": ok,
            "journeys": journeys,
            "decisions": decisions,
        },
        status=status,
    )


def _login_form(
    request: Request, svc: Services, status: int, error: str, email: str, back: str
) -> Response:
    return svc.pages.page(
        request,
        "support/login.html",
        {
            "error": error,
            "email": email,
            "return_to": "" if back == HOME else back,
            "for_application": back.startswith("/oauth2/authorize"),
        },
        status=status,
    )


async def _checked_form(request: Request, svc: Services) -> tuple[FormData, Response | None]:
    form = await request.form(max_files=0, max_fields=16)
    token = form.get(svc.csrf.FIELD)
    try:
        svc.csrf.check(request, token if isinstance(token, str) else None)
    except CsrfError as err:
        return form, svc.pages.error(request, 403, "Please reload the page", str(err))
    return form, None


def _secret(form: FormData, name: str) -> str:
    """A password field as typed (no stripping), capped just above the policy's maximum."""
    value = form.get(name)
    return value[: MAX_FIELD + 1] if isinstance(value, str) else ""


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""

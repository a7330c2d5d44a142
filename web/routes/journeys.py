"""The generic journey routes: start, show, submit; plus email links and live updates.

These routes know no journey in particular: any journey registered with ``@journey`` is served at
``/j/<name>``, its screens rendered from their :class:`ScreenView`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from journeys.kit import (
    EmailLinkClicked,
    ErrorCode,
    EventEnvelope,
    JourneyStart,
    Outcome,
    ScreenView,
)
from web import client_hints
from web.account_sessions import AccountSessions
from web.cookies import CookieJar
from web.csrf import CsrfError
from web.forms import FormProblem
from web.gateway import JourneyGateway, JourneyNotFound, Rejected
from web.htmx import is_htmx, redirect
from web.redirects import safe_local_path
from web.services import Gateway, MaybeCustomer, Services, Svc
from web.sessions import SessionStore

router = APIRouter()

MAX_FORM_BYTES = 64 * 1024
LIVE_POLL_SECONDS = 1.0
LIVE_MAX_SECONDS = 300
LIVE_KEEPALIVE_EVERY = 15


@router.get("/register")
async def register() -> Response:
    """The friendly URL of the registration journey (asks for the client hints it will read)."""
    return client_hints.advertise(
        RedirectResponse("/j/registration", status_code=303), critical=True
    )


def _acr_values(request: Request) -> dict[str, str]:
    """An OpenID relying party's ``acr_values`` (docs/oidc.md), when the request carries one."""
    acr = request.query_params.get("acr_values", "")[:64]
    return {"acr_values": acr} if acr else {}


@router.get("/login")
async def login(request: Request) -> Response:
    """The friendly URL of the login journey; keeps a local ``return_to`` and ``acr_values``.

    Asks for the client hints the journey start reads (see :mod:`web.client_hints`)."""
    return_to = safe_local_path(request.query_params.get("return_to"), default="")
    target = "/j/login"
    if return_to:
        target += "?" + urlencode({"return_to": return_to, **_acr_values(request)})
    return client_hints.advertise(RedirectResponse(target, status_code=303), critical=True)


@router.get("/j/{journey}")
async def start(
    journey: str, request: Request, svc: Svc, gateway: Gateway, me: MaybeCustomer
) -> Response:
    """Start a new journey bound to this browser, then show it at its own URL.

    Only journeys declared ``public`` or ``signed_in`` start here; a ``signed_in`` one starts for
    the session's customer, after a sign-in or re-authentication when its declaration asks.
    """
    declared = JourneyGateway.startable(journey)
    if declared is None:
        return svc.pages.error(request, 404, "Page not found", f"There is no {journey!r} journey.")
    customer_id = ""
    if declared.entry == "signed_in":
        here = f"/j/{journey}"
        if me is None:
            return RedirectResponse("/login?" + urlencode({"return_to": here}), status_code=303)
        if declared.recent_auth is not None and not AccountSessions.recently_authenticated(
            me, within=declared.recent_auth
        ):
            return RedirectResponse(
                "/account/reauth?" + urlencode({"return_to": here}), status_code=303
            )
        customer_id = me.customer.id
    device, new_device = svc.devices.identify(request)
    start_input = JourneyStart(
        return_to=safe_local_path(request.query_params.get("return_to"), default="/account"),
        client_ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:512],
        device=device,
        client_hints=client_hints.read(request),
        customer_id=customer_id,
        **_acr_values(request),
    )
    journey_id, _ = await gateway.start(journey, start_input)
    response = RedirectResponse(f"/j/{journey}/{journey_id}", status_code=303)
    svc.binding.bind(request, response, journey_id)
    if new_device:
        svc.devices.remember(response, new_device)
    return response


@router.get("/j/{journey}/{journey_id}")
async def show(
    journey: str, journey_id: str, request: Request, svc: Svc, gateway: Gateway
) -> Response:
    """The current screen of a journey this browser owns."""
    refused = _refuse_foreign(request, svc, journey, journey_id)
    if refused is not None:
        return refused
    try:
        view = await gateway.view(journey_id)
    except JourneyNotFound:
        return _not_found(request, svc)
    return _respond(request, svc, journey_id, view, after_post=False)


@router.post("/j/{journey}/{journey_id}")
async def submit(
    journey: str, journey_id: str, request: Request, svc: Svc, gateway: Gateway
) -> Response:
    """One form post = one ``submit`` update; answers with the next screen."""
    form = await _read_form(request, svc)
    if isinstance(form, Response):
        return form
    refused = _refuse_foreign(request, svc, journey, journey_id)
    if refused is not None:
        return refused
    try:
        view = await gateway.view(journey_id, seq=_int(form.get("seq")))
        if view.outcome is not None:
            return _respond(request, svc, journey_id, view, after_post=True)
        submission = svc.forms.submission(view, form, journey_id=journey_id)
        following = await gateway.submit(journey_id, submission)
    except JourneyNotFound:
        return await _current(request, svc, gateway, journey_id)
    except FormProblem as problem:
        return svc.pages.screen(
            request,
            journey_id,
            view,
            status=422,
            values=problem.values,
            field_errors=problem.field_errors,
            form_errors=problem.form_errors,
        )
    except Rejected as rejected:
        return await _rejected(request, svc, gateway, journey_id, view, form, rejected)
    return _respond(request, svc, journey_id, following, after_post=True)


@router.get("/j/{journey}/{journey_id}/events")
async def live(
    journey: str, journey_id: str, request: Request, svc: Svc, gateway: Gateway
) -> Response:
    """Server-sent events: says ``changed`` once the journey has moved past screen ``seq``.

    The waiting page listens with the htmx SSE extension and then fetches the new screen; with
    JavaScript off the page offers a refresh button instead.
    """
    refused = _refuse_foreign(request, svc, journey, journey_id)
    if refused is not None:
        return refused
    seq = _int(request.query_params.get("seq")) or 0
    return StreamingResponse(
        _changes(request, gateway, journey_id, seq),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/j/{journey}/{journey_id}/link")
async def open_link(journey: str, journey_id: str, request: Request, svc: Svc) -> Response:
    """An emailed link: ask for a click first, so mail scanners that prefetch links do nothing."""
    token = request.query_params.get("token", "")
    if not JourneyGateway.known(journey) or not token or len(token) > 200:
        return svc.pages.error(
            request, 400, "Link not valid", "This link is incomplete or damaged."
        )
    return svc.pages.link_confirmation(
        request, journey, action=f"/j/{journey}/{journey_id}/link", token=token
    )


@router.post("/j/{journey}/{journey_id}/link")
async def confirm_link(
    journey: str, journey_id: str, request: Request, svc: Svc, gateway: Gateway
) -> Response:
    """Deliver the clicked link to the journey, from whichever device opened it."""
    form = await _read_form(request, svc)
    if isinstance(form, Response):
        return form
    token = form.get("token", "")
    if not token or len(token) > 200:
        return svc.pages.error(
            request, 400, "Link not valid", "This link is incomplete or damaged."
        )
    sealed = svc.sealer.seal(token, journey_id=journey_id, field="token")
    event = EventEnvelope(name=EmailLinkClicked.event_name(), data={"token": sealed})
    try:
        view = await gateway.deliver(journey_id, event)
    except (Rejected, JourneyNotFound):
        words = svc.pages.link_page(journey)
        return svc.pages.error(request, 410, words.gone_title, words.gone)
    if view.errors:
        return svc.pages.error(request, 400, "This link does not work", " ".join(view.errors))
    if svc.binding.nonce(request, journey_id) is not None:
        return redirect(request, f"/j/{journey}/{journey_id}")
    return svc.pages.page(
        request, "journeys/link_done.html", {"link_page": svc.pages.link_page(journey)}
    )


async def _current(
    request: Request, svc: Services, gateway: JourneyGateway, journey_id: str
) -> Response:
    """Where a journey stands now: e.g. its outcome, when a post reached a finished journey."""
    try:
        view = await gateway.view(journey_id)
    except JourneyNotFound:
        return _not_found(request, svc)
    return _respond(request, svc, journey_id, view, after_post=True)


async def _changes(
    request: Request, gateway: JourneyGateway, journey_id: str, seq: int
) -> AsyncIterator[str]:
    waited = 0.0
    while waited < LIVE_MAX_SECONDS:
        if await request.is_disconnected():
            return
        try:
            view = await gateway.view(journey_id)
            current = view.seq
        except JourneyNotFound:
            current = -1
        if current != seq:
            yield f"event: changed\ndata: {current}\n\n"
            return
        if int(waited) % LIVE_KEEPALIVE_EVERY == 0:
            yield ": waiting\n\n"
        await asyncio.sleep(LIVE_POLL_SECONDS)
        waited += LIVE_POLL_SECONDS


async def _rejected(
    request: Request,
    svc: Services,
    gateway: JourneyGateway,
    journey_id: str,
    view: ScreenView,
    form: dict[str, str],
    rejected: Rejected,
) -> Response:
    """Map the journey's refusal to the right status and a screen that says what to do."""
    echo = {f.name: form.get(f.name, "") for f in view.fields if not f.secret}
    if rejected.code == ErrorCode.INVALID_SUBMISSION:
        return svc.pages.screen(
            request,
            journey_id,
            view,
            status=422,
            values=echo,
            field_errors=dict(rejected.details.get("fields", {})),
            form_errors=list(rejected.details.get("form", [])),
        )
    try:
        current = await gateway.view(journey_id)
    except JourneyNotFound:
        return _not_found(request, svc)
    if current.outcome is not None:
        return _respond(request, svc, journey_id, current, after_post=True)
    message = rejected.message
    if rejected.code != ErrorCode.STALE_SUBMISSION:
        message = "That did not work; here is where your journey stands now."
    return svc.pages.screen(request, journey_id, current, status=409, form_errors=[message])


def _respond(
    request: Request, svc: Services, journey_id: str, view: ScreenView, *, after_post: bool
) -> Response:
    """Render a screen, perform a finished journey's outcome, or redirect after a plain post."""
    if view.outcome is not None:
        return _perform(request, svc, journey_id, Outcome.model_validate(view.outcome), view)
    if after_post and not is_htmx(request):
        return RedirectResponse(f"/j/{view.journey}/{journey_id}", status_code=303)
    rejected_input = after_post and (view.errors or any(f.error for f in view.fields))
    return svc.pages.screen(request, journey_id, view, status=422 if rejected_input else 200)


def _perform(
    request: Request, svc: Services, journey_id: str, outcome: Outcome, view: ScreenView
) -> Response:
    if outcome.kind == "signed_in" and outcome.customer_id:
        nonce = svc.binding.nonce(request, journey_id)
        if nonce is None:
            return _foreign(request, svc)
        try:
            session_id = svc.sessions.issue_for_journey(
                customer_id=outcome.customer_id,
                journey_id=journey_id,
                nonce=nonce,
                amr=outcome.amr,
                user_agent=request.headers.get("user-agent", ""),
                ip=request.client.host if request.client else "",
                acr=outcome.acr,
                device=outcome.device,
            )
        except PermissionError:
            return svc.pages.error(
                request,
                409,
                "This journey is already finished",
                "It signed you in before and cannot be used again.",
            )
        previous = request.cookies.get(svc.cookies.name(CookieJar.SESSION))
        if previous and previous != session_id:
            svc.sessions.revoke(previous)  # rotation: a new sign-in never keeps the old id alive
        response = redirect(request, safe_local_path(outcome.redirect_to))
        svc.cookies.set(response, CookieJar.SESSION, session_id, max_age=_max_age(svc.sessions))
        return response
    if outcome.kind == "redirect":
        return redirect(request, safe_local_path(outcome.redirect_to, default="/"))
    status = 410 if outcome.kind == "expired" else 200
    return svc.pages.screen(request, journey_id, view, status=status)


def _max_age(sessions: SessionStore) -> int:
    return int(sessions.absolute.total_seconds())


def _refuse_foreign(
    request: Request, svc: Services, journey: str, journey_id: str
) -> Response | None:
    if not JourneyGateway.known(journey) or not journey_id.startswith(f"{journey}-"):
        return _not_found(request, svc)
    if svc.binding.nonce(request, journey_id) is None:
        return _foreign(request, svc)
    return None


def _foreign(request: Request, svc: Services) -> Response:
    return svc.pages.error(
        request,
        403,
        "This journey belongs to another browser",
        "For your safety a journey can only be continued in the browser that started it. "
        "If you opened an emailed link, use the button on that page instead.",
    )


def _not_found(request: Request, svc: Services) -> Response:
    return svc.pages.error(
        request,
        404,
        "Journey not found",
        "This journey does not exist or has been cleaned up after it ended. Please start again.",
    )


async def _read_form(request: Request, svc: Services) -> dict[str, str] | Response:
    """Parse a bounded urlencoded form and check its CSRF token."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        return svc.pages.error(request, 413, "Form too large", "That form was larger than allowed.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return svc.pages.error(request, 413, "Form too large", "That form was larger than allowed.")
    parsed = await request.form(max_files=0, max_fields=64)
    form = {k: v for k, v in parsed.items() if isinstance(v, str)}
    try:
        svc.csrf.check(request, form.get(svc.csrf.FIELD))
    except CsrfError as err:
        return svc.pages.error(request, 403, "Please reload the page", str(err))
    return form


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None

"""``/invite/<journey id>``: the emailed invitation link, which binds the journey to this browser.

Nobody's browser started an invitation journey (a SCIM client did), so the browser that confirms
a valid link becomes its owner: the link token is delivered to the journey first, and only when
the journey accepts it (single use, unexpired) is the journey bound to this browser and shown.
Like every emailed link, it is confirmed with a button (a POST), so mail scanners do nothing.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import Response

from journeys.invitation import CheckYourInbox
from journeys.kit import EmailLinkClicked, ErrorCode, EventEnvelope, ScreenView
from web.csrf import CsrfError
from web.gateway import JourneyGateway, JourneyNotFound, Rejected
from web.htmx import redirect
from web.services import Gateway, Services, Svc

router = APIRouter()

JOURNEY = "invitation"
MAX_TOKEN_CHARS = 200
MAX_FORM_BYTES = 4 * 1024
LINK_READY_SECONDS = 10
LINK_RETRY_SECONDS = 0.1


@router.get("/invite/{journey_id}")
async def open_invitation(journey_id: str, request: Request, svc: Svc) -> Response:
    """Ask for a click before anything happens."""
    token = request.query_params.get("token", "")
    if not _plausible(journey_id, token):
        return _damaged(request, svc)
    return svc.pages.link_confirmation(
        request, JOURNEY, action=f"/invite/{journey_id}", token=token
    )


@router.post("/invite/{journey_id}")
async def accept_invitation(
    journey_id: str, request: Request, svc: Svc, gateway: Gateway
) -> Response:
    """Deliver the link to the journey; on success bind it here and continue at its screen."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return svc.pages.error(request, 413, "Form too large", "That form was larger than allowed.")
    form = await request.form(max_files=0, max_fields=8)
    token = form.get("token")
    csrf = form.get(svc.csrf.FIELD)
    try:
        svc.csrf.check(request, csrf if isinstance(csrf, str) else None)
    except CsrfError as err:
        return svc.pages.error(request, 403, "Please reload the page", str(err))
    if not isinstance(token, str) or not _plausible(journey_id, token):
        return _damaged(request, svc)
    sealed = svc.sealer.seal(token, journey_id=journey_id, field="token")
    event = EventEnvelope(name=EmailLinkClicked.event_name(), data={"token": sealed})
    try:
        view = await _deliver(gateway, journey_id, event)
    except (Rejected, JourneyNotFound, TimeoutError):
        words = svc.pages.link_page(JOURNEY)
        return svc.pages.error(request, 410, words.gone_title, words.gone)
    if view.errors:
        return svc.pages.error(request, 400, "This link does not work", " ".join(view.errors))
    response = redirect(request, f"/j/{JOURNEY}/{journey_id}")
    svc.binding.bind(request, response, journey_id)
    return response


async def _deliver(gateway: JourneyGateway, journey_id: str, event: EventEnvelope) -> ScreenView:
    """Deliver the link; a link opened the instant it arrives may beat the journey to its wait.

    The email leaves inside the sending activity, before the journey records that activity's end
    and starts waiting, so for a moment the journey is not yet waiting: wait for it, briefly.
    """
    async with asyncio.timeout(LINK_READY_SECONDS):
        while True:
            try:
                return await gateway.deliver(journey_id, event)
            except (Rejected, JourneyNotFound) as refused:
                if isinstance(refused, Rejected) and refused.code != ErrorCode.UNKNOWN_EVENT:
                    raise
                if await _waiting_or_done(gateway, journey_id):
                    raise
            await asyncio.sleep(LINK_RETRY_SECONDS)


async def _waiting_or_done(gateway: JourneyGateway, journey_id: str) -> bool:
    try:
        view = await gateway.view(journey_id)
    except JourneyNotFound:
        return False  # no screen drawn yet: the journey is still sending the email
    return view.outcome is not None or view.screen == CheckYourInbox.screen_name()


def _plausible(journey_id: str, token: str) -> bool:
    return (
        journey_id.startswith(f"{JOURNEY}-")
        and len(journey_id) <= 200
        and 0 < len(token) <= MAX_TOKEN_CHARS
    )


def _damaged(request: Request, svc: Services) -> Response:
    return svc.pages.error(request, 400, "Link not valid", "This link is incomplete or damaged.")

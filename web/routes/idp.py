"""Sign in with an upstream OpenID provider: the redirect dance, then sign-in, creation or linking.

The protocol is :mod:`web.federation` (Authlib's client, joserfc); the sign-in in flight lives in
the database, bound to this browser by a cookie (:mod:`store.identity_links`). An identity
whose email belongs to an existing customer is never linked by that match alone: the browser must
sign in to that customer locally first, then confirm the link with a CSRF-protected post.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contracts.identity import UpstreamIdentity as RegisteringIdentity
from journeys.kit import JourneyStart, normalize_email
from journeys.login import LoginStart
from journeys.registration import RegistrationStart
from store.identity_links import IdentityLinks
from store.idps import Idp, Idps
from web import client_hints
from web.account_forms import csrf_form, to_login
from web.federation import Ceremony, FederationError, UpstreamIdentity
from web.gateway import JourneyGateway
from web.redirects import safe_local_path
from web.services import Gateway, MaybeCustomer, Services, Svc

router = APIRouter()
#: The cookie that binds a sign-in in flight to the browser that started it.
FLOW_COOKIE = "thr_idp"
#: The journey each kind of start continues in: a linked identity signs in, a new one registers.
JOURNEYS: dict[type[JourneyStart], str] = {LoginStart: "login", RegistrationStart: "registration"}
#: The longest ``login_hint`` passed on to a provider (an email address's limit).
MAX_LOGIN_HINT = 254


def _idp(svc: Services, name: str) -> Idp | None:
    return Idps(svc.settings).get(name) if Idps.NAME.match(name) else None


def _ceremony(svc: Services, idp: Idp) -> Ceremony:
    return Ceremony(idp, f"{svc.settings.base_url}/login/idp/{idp.name}/callback")


def _refused(svc: Services, request: Request, message: str) -> Response:
    response = svc.pages.error(request, 400, "Sign-in with this provider did not work", message)
    svc.cookies.clear(response, FLOW_COOKIE)
    return response


def _unknown(svc: Services, request: Request, name: str) -> Response:
    return svc.pages.error(request, 404, "Page not found", f"There is no provider {name!r}.")


def _login_hint(raw: str) -> str:
    """An email to pass on as ``login_hint`` (home-realm discovery sends it), else ""."""
    if not raw or len(raw) > MAX_LOGIN_HINT:
        return ""
    try:
        return normalize_email(raw)
    except ValueError:
        return ""  # only a convenience: a malformed hint is dropped, the sign-in goes on


@router.get("/login/idp/{name}")
async def begin(name: str, request: Request, svc: Svc) -> Response:
    """Send the browser to the provider (code flow, PKCE S256, state, nonce).

    An optional ``login_hint`` (an email, from home-realm discovery on ``/login``) goes to the
    provider too, so the customer need not type the email again.
    """
    idp = _idp(svc, name)
    if idp is None:
        return _unknown(svc, request, name)
    return_to = safe_local_path(request.query_params.get("return_to", ""), default="/account")
    started = IdentityLinks(svc.settings).start(idp.name, return_to)
    try:
        url = await _ceremony(svc, idp).authorization_url(
            state=started.state,
            nonce=started.nonce,
            verifier=started.verifier,
            login_hint=_login_hint(request.query_params.get("login_hint", "")),
        )
    except FederationError as err:
        return _refused(svc, request, str(err))
    response = RedirectResponse(url, status_code=303)
    max_age = int(IdentityLinks.LINK_WINDOW.total_seconds())
    svc.cookies.set(response, FLOW_COOKIE, started.cookie, max_age=max_age)
    return response


@router.get("/login/idp/{name}/callback")
async def callback(name: str, request: Request, svc: Svc, gateway: Gateway) -> Response:
    """Check the answer, verify the ID token, then sign in, create and link, or ask for proof."""
    idp = _idp(svc, name)
    if idp is None:
        return _unknown(svc, request, name)
    links = IdentityLinks(svc.settings)
    row = links.pending(request.cookies.get(svc.cookies.name(FLOW_COOKIE)), idp.name)
    if row is None:
        return _refused(svc, request, "This sign-in expired or was started in another browser.")
    query = request.query_params
    if not hmac.compare_digest(query.get("state", ""), row.state):
        return _refused(svc, request, "The answer does not belong to this sign-in (state).")
    if not links.spend(row):
        return _refused(svc, request, "This sign-in was already used.")
    if query.get("error"):
        return _refused(svc, request, f"{idp.name} did not sign you in ({query['error'][:64]}).")
    try:
        identity = await _ceremony(svc, idp).finish(
            code=query.get("code", ""),
            verifier=row.verifier,
            expected_nonce=row.nonce,
            response_issuer=query.get("iss"),
        )
    except FederationError as err:
        return _refused(svc, request, str(err))
    if not identity.email:
        return _refused(svc, request, f"{idp.name} did not share an email address.")
    try:
        resolved = links.resolve(
            row, issuer=identity.issuer, subject=identity.subject, email=identity.email
        )
    except ValueError:
        return _refused(svc, request, f"{idp.name} shared an email address that is not valid.")
    if resolved.new:
        return await _register(request, svc, gateway, idp.name, identity, row.return_to)
    if resolved.needs_proof:
        back = f"/login/idp/{idp.name}/link"
        return svc.pages.page(
            request,
            "idp/link.html",
            {
                "step": "prove",
                "idp": idp.name,
                "email": identity.email,
                "login_query": urlencode({"return_to": back}),
            },
        )
    if not resolved.active:
        return _refused(svc, request, "The account linked to this sign-in is not active.")
    return await _continue_in(
        request,
        svc,
        gateway,
        LoginStart,
        row.return_to,
        federated_customer_id=resolved.customer_id,
    )


async def _register(
    request: Request,
    svc: Services,
    gateway: JourneyGateway,
    idp_name: str,
    identity: UpstreamIdentity,
    return_to: str,
) -> Response:
    """A first sign-in: the registration journey takes over (terms, email proof if needed)."""
    upstream = RegisteringIdentity(
        idp_name=idp_name,
        issuer=identity.issuer,
        subject=identity.subject,
        email=identity.email,
        email_verified=identity.email_verified,
        profile=identity.profile,
    )
    return await _continue_in(
        request, svc, gateway, RegistrationStart, return_to, upstream=upstream
    )


async def _continue_in(
    request: Request,
    svc: Services,
    gateway: JourneyGateway,
    start_type: type[JourneyStart],
    return_to: str,
    keep_flow: bool = False,
    **facts: Any,
) -> Response:
    """Start the journey of ``start_type`` bound to this browser and show it, like ``/j/NAME``.

    ``facts`` are what the web established (the upstream identity, a linked or linking customer);
    the journey does the rest like for any other sign-in: deletion gate, risk and step-up,
    re-consent and profiling (login), or email proof and terms (registration).
    """
    device, new_device = svc.devices.identify(request)
    start = start_type(
        return_to=safe_local_path(return_to, default="/account"),
        client_ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:512],
        device=device,
        client_hints=client_hints.read(request),
        **facts,
    )
    journey = JOURNEYS[start_type]
    journey_id, _ = await gateway.start(journey, start)
    response = RedirectResponse(f"/j/{journey}/{journey_id}", status_code=303)
    svc.binding.bind(request, response, journey_id)
    if new_device:
        svc.devices.remember(response, new_device)
    if not keep_flow:
        svc.cookies.clear(response, FLOW_COOKIE)
    return response


@router.post("/login/idp/{name}/prove-by-email")
async def prove_by_email(name: str, request: Request, svc: Svc, gateway: Gateway) -> Response:
    """Prove control of the account with a code emailed to it, then come back to link.

    For a customer without a password or passkey (e.g. one who signed up with another provider),
    or whose work email home-realm discovery would send back to the provider.
    """
    form = await csrf_form(request, svc, max_fields=5)
    if isinstance(form, Response):
        return form
    row = IdentityLinks(svc.settings).waiting(request.cookies.get(svc.cookies.name(FLOW_COOKIE)))
    if row is None or row.idp_name != name or row.link_customer_id is None:
        return _refused(svc, request, "There is no sign-in waiting to be linked in this browser.")
    return await _continue_in(
        request,
        svc,
        gateway,
        LoginStart,
        f"/login/idp/{name}/link",
        keep_flow=True,  # the link step after this detour reads the flow cookie
        linking_customer_id=row.link_customer_id,
    )


@router.get("/login/idp/{name}/link")
async def confirm_link(name: str, request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """After the local sign-in: offer to link the identity waiting for this customer."""
    if me is None:
        return to_login(f"/login/idp/{name}/link")
    row = IdentityLinks(svc.settings).awaiting_proof(
        request.cookies.get(svc.cookies.name(FLOW_COOKIE)), me.customer.id
    )
    if row is None or row.idp_name != name:
        return _refused(svc, request, "There is no sign-in waiting to be linked to this account.")
    return svc.pages.page(request, "idp/link.html", {"step": "confirm", "idp": name})


@router.post("/login/idp/{name}/link")
async def link(name: str, request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Link the waiting identity to the customer who just proved control of the account."""
    form = await csrf_form(request, svc, max_fields=5)
    if isinstance(form, Response):
        return form
    if me is None:
        return svc.pages.error(request, 403, "Please sign in again", "Your session ended.")
    links = IdentityLinks(svc.settings)
    row = links.awaiting_proof(request.cookies.get(svc.cookies.name(FLOW_COOKIE)), me.customer.id)
    proven_at = me.session.authenticated_at or me.session.created_at
    if row is None or row.idp_name != name or not links.link(row, proven_at=proven_at):
        return _refused(
            svc, request, "Sign in to this account again after signing in with the provider."
        )
    response = RedirectResponse(safe_local_path(row.return_to), status_code=303)
    svc.cookies.clear(response, FLOW_COOKIE)
    return response

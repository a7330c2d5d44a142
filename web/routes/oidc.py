"""OpenID Provider endpoints: discovery, JWKS, authorize (login + consent), token, userinfo,
revocation and RP-initiated logout. Protocol work is Authlib's (:mod:`web.oidc.provider`); these
routes only read HTTP, decide whether the browser must sign in or consent, and write HTTP back.

A staff-only client (the Temporal UI) takes another path through ``/oauth2/authorize``: the
browser's staff session (``/support/login``: password + TOTP) is the sign-in, the customer session
is never looked at except to tell a signed-in customer plainly that the application is for staff,
and there is no consent screen (the operator registered the tool for its staff).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Request
from joserfc import jwt
from joserfc.errors import JoseError
from starlette.responses import JSONResponse, RedirectResponse, Response

from core.security.hashing import keyed_hash
from store.models import utcnow
from store.staff import SignedInStaff
from web.cookies import CookieJar
from web.csrf import CsrfError
from web.oidc.consent import SCOPE_TEXT, Consents
from web.oidc.provider import AUTH_METHODS, SCOPES, Provider, user_info
from web.oidc.starlette import StarletteOAuth2Request
from web.oidc.store import Grant, StaffGrant
from web.openapi import STRING, form_body
from web.services import MaybeCustomer, Svc
from web.sessions import SignedIn
from web.staff_auth import staff_from_cookie

router = APIRouter(tags=["oauth2"])
#: The token endpoint's form (RFC 6749 §4.1.3, §6; RFC 7523 client assertions).
TOKEN_FORM = form_body(
    dict.fromkeys(
        (
            "grant_type",
            "code",
            "redirect_uri",
            "code_verifier",
            "refresh_token",
            "client_id",
            "client_assertion_type",
            "client_assertion",
            "scope",
        ),
        STRING,
    ),
    required=("grant_type",),
)
#: The revocation endpoint's form (RFC 7009 §2.1).
REVOKE_FORM = form_body(
    dict.fromkeys(("token", "token_type_hint", "client_id"), STRING), required=("token",)
)
#: Parameters of an authorization request that survive the trip through login and consent.
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "acr_values",
    "login_hint",
)


def provider(request: Request) -> Provider:
    """The app's authorization server, built on first use."""
    state = request.app.state
    if getattr(state, "oidc", None) is None:
        state.oidc = Provider(request.app.state.services.settings)
    found: Provider = state.oidc
    return found


def _oauth_request(
    request: Request, form: list[tuple[str, str]] | None = None
) -> StarletteOAuth2Request:
    return StarletteOAuth2Request(
        request.method,
        str(request.url),
        request.headers,
        list(request.query_params.multi_items()),
        form or [],
    )


async def _form(request: Request) -> list[tuple[str, str]]:
    data = await request.form(max_files=0, max_fields=40)
    return [(k, v) for k, v in data.multi_items() if isinstance(v, str)]


def _respond(result: tuple[int, Any, list[tuple[str, str]]]) -> Response:
    status, body, headers = result
    response: Response
    if isinstance(body, dict):
        response = JSONResponse(body, status_code=status)
    else:
        response = Response(body or "", status_code=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def sid_for(svc: Svc, me: SignedIn) -> str:
    """The ``sid`` claim: stable per browser session, unlinkable to the session cookie."""
    return keyed_hash(svc.settings.derive_key("oidc-sid"), me.session.id_hash)[:32]


def _error(svc: Svc, request: Request, err: OAuth2Error) -> Response:
    """Errors go back to the client when its redirect URI is known, else on a page (RFC 6749
    §4.1.2.1: never redirect to an unverified URI)."""
    if err.redirect_uri:
        _, _, headers = err()  # Authlib adds error, description and state to the URI's query
        return RedirectResponse(dict(headers)["Location"], status_code=303)
    return svc.pages.error(
        request, 400, "This sign-in link is not valid", err.get_error_description() or err.error
    )


def staff_sid_for(svc: Svc, me: SignedInStaff) -> str:
    """The ``sid`` claim of a staff sign-in: per staff session, unlinkable to its cookie."""
    return keyed_hash(svc.settings.derive_key("oidc-sid"), "staff", me.session.id_hash)[:32]


def _too_old(at: datetime, max_age: str | None) -> bool:
    if not max_age:
        return False
    return not max_age.isdigit() or utcnow() - at > timedelta(seconds=int(max_age))


def _below(me: SignedIn, acr_values: str) -> bool:
    """Whether the client asked for ``aal2`` and this session did not reach it."""
    return "aal2" in acr_values.split() and me.session.acr != "aal2"


def _way_back(request: Request) -> dict[str, str]:
    """``return_to`` this authorization request, without what a fresh sign-in answers.

    The way back drops ``prompt``, ``max_age`` and ``acr_values``, which the fresh sign-in has
    just answered (else ``max_age=0``, or ``aal2`` for a customer with only an emailed code,
    would loop); the ID token's ``auth_time`` and ``acr`` let the client check the result.
    """
    drop = ("prompt", "max_age", "acr_values")
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in drop]
    return {"return_to": "/oauth2/authorize?" + urlencode(params)}


def _login(request: Request) -> Response:
    """Send the browser through the login journey and back to this authorization request;
    ``acr_values`` goes to the login journey, which steps up for ``aal2``."""
    back = _way_back(request)
    acr = request.query_params.get("acr_values")
    return RedirectResponse(
        "/login?" + urlencode({**back, **({"acr_values": acr} if acr else {})}), status_code=303
    )


@router.get("/.well-known/openid-configuration")
async def discovery(request: Request) -> Response:
    """OpenID Provider metadata (OpenID Connect Discovery 1.0 §3)."""
    issuer = provider(request).issuer
    return JSONResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/oauth2/authorize",
            "token_endpoint": f"{issuer}/oauth2/token",
            "userinfo_endpoint": f"{issuer}/oauth2/userinfo",
            "jwks_uri": f"{issuer}/oauth2/jwks",
            "revocation_endpoint": f"{issuer}/oauth2/revoke",
            "end_session_endpoint": f"{issuer}/oauth2/logout",
            "scopes_supported": SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "PS256"],
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "email",
                "email_verified",
                "auth_time",
                "acr",
                "amr",
                "sid",
            ],
            "acr_values_supported": ["aal1", "aal2"],
            "prompt_values_supported": ["none", "login", "consent"],
        },
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/oauth2/jwks")
async def jwks(request: Request) -> Response:
    """The public signing keys, current and within their rotation overlap."""
    keys = provider(request).keys.public_set().as_dict(private=False)
    return JSONResponse(keys, headers={"Cache-Control": "public, max-age=300"})


def _consent_page(
    request: Request, svc: Svc, me: SignedIn, client_name: str, scope: str
) -> Response:
    params = [(k, v) for k, v in request.query_params.multi_items() if k in AUTHORIZE_PARAMS]
    lines = [{"scope": s, "text": SCOPE_TEXT.get(s, s)} for s in scope.split()]
    return svc.pages.page(
        request,
        "oidc/consent.html",
        {
            "client_name": client_name,
            "email": me.customer.email,
            "scope_lines": lines,
            "params": params,
        },
    )


@router.get("/oauth2/authorize", include_in_schema=False)
async def authorize(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Validate the request, then sign in (login journey), consent, and redirect with a code."""
    server = provider(request)
    oauth = _oauth_request(request)
    client = server.query_client(str(request.query_params.get("client_id", ""))[:100])
    if client is not None and client.staff_only:
        return _authorize_staff(request, svc, server, oauth, me)
    grant_user = Grant(me.customer, me.session, sid_for(svc, me)) if me else None
    try:
        grant = server.get_consent_grant(oauth, end_user=grant_user)
    except OAuth2Error as err:
        return _error(svc, request, err)
    prompts = oauth.payload.data.get("prompt", "").split()
    max_age = oauth.payload.data.get("max_age")
    acr_values = oauth.payload.data.get("acr_values", "")
    if (
        me is None
        or grant_user is None
        or "login" in prompts
        or _too_old(me.session.authenticated_at or me.session.created_at, max_age)
        or _below(me, acr_values)
    ):
        if "none" in prompts:
            return _error(svc, request, _redirect_error(grant, "login_required"))
        return _login(request)
    client_id = grant.client.get_client_id()
    scope = grant.client.get_allowed_scope(oauth.payload.scope)
    consents = Consents(svc.settings)
    if "consent" in prompts or not consents.granted(me.customer.id, client_id, scope):
        if "none" in prompts:
            return _error(svc, request, _redirect_error(grant, "consent_required"))
        return _consent_page(request, svc, me, grant.client.row.name, scope)
    result = server.create_authorization_response(oauth, grant_user, grant)
    return _to_client(request, svc, grant.client.row.name, dict(result[2])["Location"])


def _authorize_staff(
    request: Request,
    svc: Svc,
    server: Provider,
    oauth: StarletteOAuth2Request,
    customer: SignedIn | None,
) -> Response:
    """A staff-only client: the staff session signs in, ``/support/login`` when there is none.

    A browser with only a customer session is told plainly that customer accounts cannot sign
    in here (403); ``prompt=none`` without a staff session is ``login_required``.
    """
    me = staff_from_cookie(request)
    grant_user = StaffGrant(me.staff, me.session, staff_sid_for(svc, me)) if me else None
    try:
        grant = server.get_consent_grant(oauth, end_user=grant_user)
    except OAuth2Error as err:
        return _error(svc, request, err)
    prompts = oauth.payload.data.get("prompt", "").split()
    max_age = oauth.payload.data.get("max_age")
    if me is None or "login" in prompts or _too_old(me.session.created_at, max_age):
        if "none" in prompts:
            return _error(svc, request, _redirect_error(grant, "login_required"))
        if me is None and customer is not None:
            return svc.pages.page(
                request,
                "oidc/staff_only.html",
                {"client_name": grant.client.row.name, "login": _staff_login_url(request)},
                status=403,
            )
        return RedirectResponse(_staff_login_url(request), status_code=303)
    result = server.create_authorization_response(oauth, grant_user, grant)
    return _to_client(request, svc, grant.client.row.name, dict(result[2])["Location"])


def _staff_login_url(request: Request) -> str:
    return "/support/login?" + urlencode(_way_back(request))


def _redirect_error(grant: Any, error: str) -> OAuth2Error:
    err = OAuth2Error(
        error=error, redirect_uri=grant.redirect_uri, state=grant.request.payload.state
    )
    return err


@router.post("/oauth2/authorize", include_in_schema=False)
async def decide(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The consent form's answer: remember it, then redirect to the client with a code or
    ``access_denied``."""
    form = await _form(request)
    fields = dict(form)
    try:
        svc.csrf.check(request, fields.get(svc.csrf.FIELD))
    except CsrfError as err:
        return svc.pages.error(request, 403, "Please reload the page", str(err))
    if me is None:
        return svc.pages.error(request, 403, "Please sign in again", "Your session ended.")
    server = provider(request)
    params = [(k, v) for k, v in form if k in AUTHORIZE_PARAMS]
    oauth = StarletteOAuth2Request("GET", str(request.url), request.headers, params)
    grant_user = Grant(me.customer, me.session, sid_for(svc, me))
    try:
        grant = server.get_consent_grant(oauth, end_user=grant_user)
    except OAuth2Error as err:
        return _error(svc, request, err)
    if grant.client.staff_only:
        # No consent is ever asked for a staff-only client, so none is answered.
        return _error(svc, request, _redirect_error(grant, "access_denied"))
    allowed = fields.get("decision") == "allow"
    scope = grant.client.get_allowed_scope(oauth.payload.scope)
    Consents(svc.settings).record(me.customer.id, grant.client.get_client_id(), scope, allowed)
    try:
        result = server.create_authorization_response(oauth, grant_user if allowed else None, grant)
    except OAuth2Error as err:
        return _error(svc, request, err)
    return _to_client(request, svc, grant.client.row.name, dict(result[2])["Location"])


def _to_client(request: Request, svc: Svc, client_name: str, location: str) -> Response:
    """Hand the code to the client. A navigation that follows our own form posts (login, consent)
    would be refused by Chromium at the cross-site redirect: it applies the form page's CSP
    ``form-action 'self'`` to every redirect after a post. Such same-origin navigations get a
    page that moves on with a ``Refresh`` header (a new navigation, not a form submission) and a
    link; a request straight from the client gets the plain 302."""
    if request.headers.get("sec-fetch-site") != "same-origin":
        return RedirectResponse(location, status_code=303 if request.method == "POST" else 302)
    response = svc.pages.page(
        request, "oidc/continue.html", {"location": location, "client_name": client_name}
    )
    response.headers["Refresh"] = f"0; url={location}"
    return response


@router.post("/oauth2/token", openapi_extra=TOKEN_FORM)
async def token(request: Request) -> Response:
    """Code and refresh-token exchange; errors are RFC 6749 §5.2 JSON."""
    oauth = _oauth_request(request, await _form(request))
    return _respond(provider(request).create_token_response(oauth))


@router.post("/oauth2/revoke", openapi_extra=REVOKE_FORM)
async def revoke(request: Request) -> Response:
    """RFC 7009 token revocation."""
    oauth = _oauth_request(request, await _form(request))
    return _respond(provider(request).create_endpoint_response("revocation", oauth))


@router.get("/oauth2/userinfo", operation_id="userinfo_get")
@router.post("/oauth2/userinfo", operation_id="userinfo_post")
async def userinfo(request: Request) -> Response:
    """The claims of the access token's customer, filtered by its scope."""
    server = provider(request)
    oauth = _oauth_request(request)
    try:
        found = server.resources.validate_request(["openid"], oauth)
    except OAuth2Error as err:
        return JSONResponse(
            dict(err.get_body()),
            status_code=err.status_code,
            headers={"WWW-Authenticate": f'Bearer error="{err.error}"'},
        )
    return JSONResponse(dict(user_info(found.user, found.scope, server.namespace)))


def _hint_claims(server: Provider, hint: str) -> dict[str, Any] | None:
    """The claims of an ID token we signed (expired is fine: logout comes after expiry)."""
    try:
        return dict(jwt.decode(hint, server.keys.public_set()).claims)
    except (JoseError, ValueError):
        return None


@router.api_route("/oauth2/logout", methods=["GET", "POST"], include_in_schema=False)
async def end_session(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """RP-initiated logout 1.0: sign this browser out (asking first unless the ``id_token_hint``
    names this very session), then return to a registered ``post_logout_redirect_uri``."""
    server = provider(request)
    form = await _form(request) if request.method == "POST" else []
    params = dict(request.query_params.multi_items()) | dict(form)
    claims = _hint_claims(server, params.get("id_token_hint", "")) or {}
    aud = claims.get("aud")
    client_id = params.get("client_id") or (aud[0] if isinstance(aud, list) else aud) or ""
    client = server.query_client(client_id) if client_id else None
    sid = sid_for(svc, me) if me else None
    confirmed = bool(sid and claims.get("sid") == sid)
    if request.method == "POST":
        try:
            svc.csrf.check(request, params.get(svc.csrf.FIELD))
            confirmed = True
        except CsrfError as err:
            return svc.pages.error(request, 403, "Please reload the page", str(err))
    if me is not None and not confirmed:
        keep = [(k, v) for k, v in params.items() if k != svc.csrf.FIELD]
        return svc.pages.page(
            request,
            "oidc/logout.html",
            {"params": keep, "done": False, "client_name": client.row.name if client else ""},
        )
    response: Response
    target = params.get("post_logout_redirect_uri", "")
    if client is not None and target and target in client.post_logout_redirect_uris():
        state = params.get("state")
        back = target + ("?" + urlencode({"state": state}) if state else "")
        response = _to_client(request, svc, client.row.name, back)
    else:
        response = svc.pages.page(
            request,
            "oidc/logout.html",
            {"done": True, "client_name": client.row.name if client else "", "params": []},
        )
    if me is not None and sid is not None:
        server.store.revoke_session(sid)
        session_id = request.cookies.get(svc.cookies.name(CookieJar.SESSION))
        if session_id:
            svc.sessions.revoke(session_id)
        svc.cookies.clear(response, CookieJar.SESSION)
    return response

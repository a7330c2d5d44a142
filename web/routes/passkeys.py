"""The customer's passkeys: list them (name, created, last used), add, rename, remove.

Adding one is the ``add-passkey`` journey (a WebAuthn round trip with a journey-bound challenge);
adding and removing need an authentication at most five minutes old, else the customer goes
through ``/account/reauth`` and back. Renaming changes no way of signing in, so it needs only the
session. Removal policy (docs/security.md): a passwordless customer's last passkey stays.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from journeys.add_passkey import PASSKEYS_PAGE, AddPasskeyStart
from store import passkey_repo
from web.account_forms import csrf_form, to_login, to_reauth
from web.account_sessions import AccountSessions
from web.services import Gateway, MaybeCustomer, Services, Svc
from web.sessions import SignedIn

router = APIRouter()

NOTICES = {
    "added": "Your new passkey is ready: use it the next time you sign in.",
    "renamed": "The passkey was renamed.",
    "removed": "The passkey was removed.",
}
MAX_FORM_FIELDS = 4
MAX_FIELD_CHARS = 256


@router.get(PASSKEYS_PAGE)
async def passkeys_page(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The customer's passkeys and what they can do with them."""
    if me is None:
        return to_login(PASSKEYS_PAGE)
    return _page(request, svc, me)


@router.post(f"{PASSKEYS_PAGE}/add")
async def add(request: Request, svc: Svc, gateway: Gateway, me: MaybeCustomer) -> Response:
    """Start the add-passkey journey for a recently authenticated customer."""
    gate = await _gate(request, svc, me, recent=True)
    if isinstance(gate, Response):
        return gate
    me, _ = gate
    device, new_device = svc.devices.identify(request)
    start = AddPasskeyStart(
        return_to=PASSKEYS_PAGE,
        client_ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:512],
        device=device,
        customer_id=me.customer.id,
        email=me.customer.email,
    )
    journey_id, _ = await gateway.start("add-passkey", start)
    response = RedirectResponse(f"/j/add-passkey/{journey_id}", status_code=303)
    svc.binding.bind(request, response, journey_id)
    if new_device:
        svc.devices.remember(response, new_device)
    return response


@router.post(PASSKEYS_PAGE + "/{passkey_id}/rename")
async def rename(passkey_id: int, request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Rename one of the customer's passkeys (1 to 64 characters)."""
    gate = await _gate(request, svc, me, recent=False)
    if isinstance(gate, Response):
        return gate
    me, form = gate
    name = " ".join(form.get("name", "").split())
    if not 1 <= len(name) <= passkey_repo.MAX_NAME_LENGTH:
        return _page(
            request,
            svc,
            me,
            status=422,
            error=f"A passkey name needs 1 to {passkey_repo.MAX_NAME_LENGTH} characters.",
        )
    renamed = passkey_repo.rename(
        svc.settings.database_url, customer_id=me.customer.id, passkey_id=passkey_id, name=name
    )
    if not renamed:
        return _not_yours(request, svc)
    return RedirectResponse(f"{PASSKEYS_PAGE}?done=renamed", status_code=303)


@router.post(PASSKEYS_PAGE + "/{passkey_id}/remove")
async def remove(passkey_id: int, request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Remove one of the customer's passkeys, unless it is their only way to sign in."""
    gate = await _gate(request, svc, me, recent=True)
    if isinstance(gate, Response):
        return gate
    me, _ = gate
    try:
        removed = passkey_repo.remove(
            svc.settings.database_url, customer_id=me.customer.id, passkey_id=passkey_id
        )
    except passkey_repo.LastCredential:
        return _page(
            request,
            svc,
            me,
            status=409,
            error=(
                "This is your only passkey and you have no password, so removing it would lock "
                "you out. Add another passkey first, then remove this one."
            ),
        )
    if not removed:
        return _not_yours(request, svc)
    return RedirectResponse(f"{PASSKEYS_PAGE}?done=removed", status_code=303)


# ----- helpers -------------------------------------------------------------------------------


async def _gate(
    request: Request, svc: Services, me: SignedIn | None, *, recent: bool
) -> tuple[SignedIn, dict[str, str]] | Response:
    """CSRF, signed in, and (for changes to how one signs in) a recent authentication."""
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS, max_chars=MAX_FIELD_CHARS)
    if isinstance(form, Response):
        return form
    if me is None:
        return to_login(PASSKEYS_PAGE)
    if recent and not AccountSessions.recently_authenticated(me):
        return to_reauth(PASSKEYS_PAGE)
    return me, form


def _page(
    request: Request, svc: Services, me: SignedIn, *, status: int = 200, error: str = ""
) -> Response:
    url = svc.settings.database_url
    return svc.pages.page(
        request,
        "account/passkeys.html",
        {
            "me": me,
            "passkeys": passkey_repo.passkeys_of(url, me.customer.id),
            "has_password": passkey_repo.has_password(url, me.customer.id),
            "notice": NOTICES.get(request.query_params.get("done", ""), ""),
            "error": error,
            "recent": AccountSessions.recently_authenticated(me),
        },
        status=status,
    )


def _not_yours(request: Request, svc: Services) -> Response:
    return svc.pages.error(request, 404, "Passkey not found", "You have no passkey with that id.")

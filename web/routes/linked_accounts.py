"""The customer's linked upstream identities (docs/oidc.md): list them, and unlink one.

A link is shown by its provider's name and date only; the upstream subject never reaches the page.
Unlinking changes how one signs in, so it needs CSRF and an authentication at most
:data:`~web.account_sessions.REAUTH_WINDOW` old (else ``/account/reauth`` and back), and it refuses
to remove the customer's last way to sign in (no password, no passkey, no other link), as Ory
Kratos does. Another customer's link is "not found", whatever its id.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from store import passkey_repo
from store.identity_links import IdentityLinks, LastWayToSignIn
from web.account_forms import csrf_form, to_login
from web.account_sessions import AccountSessions
from web.htmx import is_htmx, redirect
from web.services import MaybeCustomer, Services, Svc
from web.sessions import SignedIn

router = APIRouter()

LINKED_ACCOUNTS_PAGE = "/account/linked-accounts"
NOTICES = {"unlinked": "The provider was unlinked: it no longer signs you in to this account."}
MAX_FORM_FIELDS = 4
MAX_FIELD_CHARS = 256
#: Ids are database integers; anything larger is not an id (and would overflow the driver).
MAX_LINK_ID = 2**63 - 1
LinkId = Annotated[int, Path(ge=1, le=MAX_LINK_ID)]


@router.get(LINKED_ACCOUNTS_PAGE)
async def linked_accounts(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """The providers linked to the customer's account, each with an Unlink button."""
    if me is None:
        return to_login(LINKED_ACCOUNTS_PAGE)
    return _page(request, svc, me)


@router.post(LINKED_ACCOUNTS_PAGE + "/{link_id}/unlink")
async def unlink(link_id: LinkId, request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Remove one of the customer's links, unless it is their only way to sign in."""
    gate = await _gate(request, svc, me)
    if isinstance(gate, Response):
        return gate
    try:
        removed = IdentityLinks(svc.settings).unlink(gate.customer.id, link_id)
    except LastWayToSignIn:
        return _page(
            request,
            svc,
            gate,
            status=409,
            error=(
                "Add a password or a passkey first: this provider is your only way to sign in, "
                "so unlinking it would lock you out."
            ),
        )
    if removed is None:
        return svc.pages.error(
            request, 404, "Linked account not found", "You have no linked account with that id."
        )
    return redirect(request, f"{LINKED_ACCOUNTS_PAGE}?done=unlinked")


# ----- helpers -------------------------------------------------------------------------------


async def _gate(request: Request, svc: Services, me: SignedIn | None) -> SignedIn | Response:
    """CSRF, signed in, and a recent authentication."""
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS, max_chars=MAX_FIELD_CHARS)
    if isinstance(form, Response):
        return form
    if me is None:
        return to_login(LINKED_ACCOUNTS_PAGE)
    if not AccountSessions.recently_authenticated(me):
        return redirect(
            request, "/account/reauth?" + urlencode({"return_to": LINKED_ACCOUNTS_PAGE})
        )
    return me


def _page(
    request: Request, svc: Services, me: SignedIn, *, status: int = 200, error: str = ""
) -> Response:
    customer_id = me.customer.id
    url = svc.settings.database_url
    links = sorted(
        IdentityLinks(svc.settings).links_of(customer_id), key=lambda link: link.created_at
    )
    other_ways = passkey_repo.has_password(url, customer_id) or bool(
        passkey_repo.passkeys_of(url, customer_id)
    )
    return svc.pages.page(
        request,
        "account/linked_accounts.html",
        {
            "me": me,
            "links": links,
            "only_way": len(links) == 1 and not other_ways,
            "notice": NOTICES.get(request.query_params.get("done", ""), ""),
            "error": error,
        },
        status=status,
        block="screen" if is_htmx(request) else None,
    )

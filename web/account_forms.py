"""What the account pages (and the other small forms: sign-out, linking a provider) do before
they act on a post, and where they send a customer they cannot serve yet.

A post is read with hard limits (no files, a few fields, each cut to a length) and its CSRF token
checked before anything else; a refused token is the 403 page. A signed-out customer goes through
``/login`` and a customer whose authentication is too old for the change through
``/account/reauth``, each coming back to the page they were on.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from web.csrf import CsrfError
from web.services import Services


async def csrf_form(
    request: Request, svc: Services, *, max_fields: int, max_chars: int = 256
) -> dict[str, str] | Response:
    """The post's text fields (each cut to ``max_chars``), or the answer to a bad CSRF token."""
    parsed = await request.form(max_files=0, max_fields=max_fields)
    form = {k: v[:max_chars] for k, v in parsed.items() if isinstance(v, str)}
    try:
        svc.csrf.check(request, form.get(svc.csrf.FIELD))
    except CsrfError as err:
        return svc.pages.error(request, 403, "Please reload the page", str(err))
    return form


def to_login(return_to: str) -> Response:
    """Sign in first, then come back to ``return_to``."""
    return RedirectResponse("/login?" + urlencode({"return_to": return_to}), status_code=303)


def to_reauth(return_to: str) -> Response:
    """Authenticate again (the login journey in re-authentication mode), then ``return_to``."""
    return RedirectResponse(
        "/account/reauth?" + urlencode({"return_to": return_to}), status_code=303
    )

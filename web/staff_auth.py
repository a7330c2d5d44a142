"""Who the staff member behind a request is: the staff cookie, or a bearer staff token.

Staff sessions are a separate table and a separate cookie (``thr_staff``, ``__Host-`` on https,
HttpOnly, SameSite=Lax) from customer sessions. Lax matters for the codec endpoint: the Temporal
UI (e.g. localhost:8233) and the web app (localhost:8000) are the same *site*, so the UI's
``credentials: include`` fetches carry the cookie, while other sites' requests do not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from store.staff import SignedInStaff, StaffDirectory
from web.services import services

STAFF_COOKIE = "thr_staff"


def directory(request: Request) -> StaffDirectory:
    """The app's staff directory (built on first use, then shared)."""
    state = request.app.state
    found: StaffDirectory | None = getattr(state, "staff_directory", None)
    if found is None:
        found = StaffDirectory(services(request).settings)
        state.staff_directory = found
    return found


def staff_from_cookie(request: Request) -> SignedInStaff | None:
    """The staff member signed in in this browser, if any (not one still to replace the
    initial password: that session opens only the password page)."""
    name = services(request).cookies.name(STAFF_COOKIE)
    return directory(request).load(request.cookies.get(name))


def staff_even_pending(request: Request) -> SignedInStaff | None:
    """The staff member signed in in this browser, including a session still to replace the
    initial password (for the password page)."""
    name = services(request).cookies.name(STAFF_COOKIE)
    return directory(request).load(request.cookies.get(name), pending=True)


def staff_from_request(request: Request) -> SignedInStaff | None:
    """The staff cookie, else ``Authorization: Bearer <staff token>`` (the UI's passAccessToken)."""
    found = staff_from_cookie(request)
    if found is not None:
        return found
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return directory(request).load(token.strip())
    return None


MaybeStaff = Annotated[SignedInStaff | None, Depends(staff_from_cookie)]
MaybePendingStaff = Annotated[SignedInStaff | None, Depends(staff_even_pending)]

"""``/account/consents``: current consents and their full history, changes, and a receipt.

A change (grant or withdraw an optional purpose) runs the ``consent-change`` workflow, which
appends the record and emits ``consent.changed`` exactly once each; the page never edits history.
Required purposes cannot be withdrawn here: refusing the terms means closing the account.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contracts.consent import PurposeGrant, RecordConsents
from contracts.consents import CATALOGUE, optional_names, purposes
from store import consents
from store.db import session_for
from web.account_forms import csrf_form, to_login
from web.consent_receipt import receipt
from web.services import MaybeCustomer, Services, Svc

router = APIRouter()

PAGE = "/account/consents"
MAX_FORM_FIELDS = 4
DECISIONS = {"grant": True, "withdraw": False}
NOTICES = {"grant": "Thank you: your consent was recorded.", "withdraw": "Consent withdrawn."}


@router.get(PAGE)
async def consents_page(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Each purpose with its current state, then every record, newest first."""
    if me is None:
        return to_login(PAGE)
    return _page(request, svc, me.customer.id)


@router.post(PAGE)
async def change(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Grant or withdraw one optional purpose (CSRF-checked; works without JavaScript)."""
    if me is None:
        return to_login(PAGE)
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS, max_chars=64)
    if isinstance(form, Response):
        return form
    name, decision = form.get("purpose", ""), form.get("decision", "")
    if name not in CATALOGUE:
        return _page(request, svc, me.customer.id, error="Choose one of the listed purposes.")
    if name not in optional_names():
        return _page(
            request,
            svc,
            me.customer.id,
            error=f"{CATALOGUE[name].label} is required to use your account; close the account "
            "instead if you no longer accept it.",
        )
    if decision not in DECISIONS:
        return _page(request, svc, me.customer.id, error="Choose to grant or to withdraw.")
    journey_id = f"consent-change-{uuid.uuid4()}"
    gateway = await svc.gateway()
    await gateway.change_consents(
        RecordConsents(
            customer_id=me.customer.id,
            journey_id=journey_id,
            channel="account",
            grants=[
                PurposeGrant(
                    purpose=name, version=CATALOGUE[name].version, granted=DECISIONS[decision]
                )
            ],
        ),
    )
    return RedirectResponse(f"{PAGE}?{urlencode({'done': decision})}", status_code=303)


@router.get(f"{PAGE}/receipt.json")
async def receipt_file(svc: Svc, me: MaybeCustomer) -> Response:
    """The Kantara consent receipt of the current consents, as a download."""
    if me is None:
        return to_login(PAGE)
    with session_for(svc.settings.database_url) as db:
        state = consents.current(db, me.customer.id)
    body = receipt(customer_id=me.customer.id, state=state, base_url=svc.settings.base_url)
    return Response(
        json.dumps(body, indent=2, sort_keys=True),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="consent-receipt.json"'},
    )


def _page(request: Request, svc: Services, customer_id: str, *, error: str = "") -> Response:
    with session_for(svc.settings.database_url) as db:
        history = consents.history(db, customer_id)
    state = {r.purpose: r for r in history}
    lines = [
        {
            "purpose": p,
            "record": state.get(p.name),
            "granted": bool(state.get(p.name) and state[p.name].granted),
        }
        for p in purposes()
    ]
    return svc.pages.page(
        request,
        "account/consents.html",
        {
            "lines": lines,
            "history": list(reversed(history)),
            "labels": {p.name: p.label for p in purposes()},
            "notice": NOTICES.get(request.query_params.get("done", ""), ""),
            "error": error,
        },
        status=422 if error else 200,
    )

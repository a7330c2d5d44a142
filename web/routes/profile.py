"""``/account/profile``: everything progressive profiling collected, editable by the customer.

Each form is one rule's screen of the plan, validated by the very same screen model the login
interstitial uses, so the rules cannot drift. Saving goes through the customer's ``profile``
workflow (an update), which stores the values, emits ``profile.updated`` and settles the rule.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import select
from starlette.responses import RedirectResponse, Response

from contracts.profiling import ProfileEdit
from journeys.kit import InvalidSubmission, Submission
from journeys.profiling_plan import PLAN, RULES
from store.db import session_for
from store.profile_models import ProfileField
from web.account_forms import csrf_form, to_login
from web.services import MaybeCustomer, Services, Svc

router = APIRouter()

PAGE = "/account/profile"
MAX_FORM_FIELDS = 8


@router.get(PAGE)
async def profile_page(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Every rule's fields with the values stored so far."""
    if me is None:
        return to_login(PAGE)
    return _page(request, svc, me.customer.id)


@router.post(PAGE)
async def save(request: Request, svc: Svc, me: MaybeCustomer) -> Response:
    """Validate one rule's fields with its screen model and store them."""
    if me is None:
        return to_login(PAGE)
    form = await csrf_form(request, svc, max_fields=MAX_FORM_FIELDS)
    if isinstance(form, Response):
        return form
    form.pop(svc.csrf.FIELD, None)
    rule = RULES.get(form.pop("rule", ""))
    if rule is None:
        return _page(request, svc, me.customer.id, errors={"": "Choose one of the forms below."})
    submission = Submission(screen=rule.screen.screen_name(), seq=0, values=dict(form))
    try:
        answer = rule.screen.parse(submission)
    except InvalidSubmission as exc:
        errors = {f"{rule.name}.{k}": v for k, v in exc.field_errors.items()}
        if exc.form_errors:
            errors[""] = " ".join(exc.form_errors)
        return _page(request, svc, me.customer.id, errors=errors, typed={rule.name: form})
    values = {name: str(getattr(answer, name)) for name, _ui, _info in rule.screen.ui_fields()}
    gateway = await svc.gateway()
    await gateway.edit_profile(
        me.customer.id,
        ProfileEdit(edit_id=f"profile-edit-{uuid.uuid4()}", rule=rule.name, values=values),
    )
    return RedirectResponse(f"{PAGE}?{urlencode({'done': rule.name})}", status_code=303)


def _page(
    request: Request,
    svc: Services,
    customer_id: str,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
) -> Response:
    with session_for(svc.settings.database_url) as session:
        stored = {
            f.name: f.value
            for f in session.exec(
                select(ProfileField).where(ProfileField.customer_id == customer_id)
            )
        }
    forms = []
    for rule in PLAN:
        values = (typed or {}).get(rule.name, stored)
        view = rule.screen.render(journey="account", seq=0, values=values)
        for f in view.fields:
            f.error = (errors or {}).get(f"{rule.name}.{f.name}")
        forms.append({"rule": rule.name, "view": view})
    return svc.pages.page(
        request,
        "account/profile.html",
        {
            "forms": forms,
            "error": (errors or {}).get(""),
            "saved": request.query_params.get("done", "") in RULES and not errors,
        },
        status=422 if errors else 200,
    )

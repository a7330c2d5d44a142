"""Small helpers to look at (and, for setup, write) the system of record directly."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlmodel import SQLModel, select

from contracts.consent import PurposeGrant, RecordConsents
from contracts.consents import CATALOGUE
from contracts.identity import CreateCustomer, StageRegistration
from contracts.profiling import SaveProfile
from core.security.sealing import Sealer
from core.settings import Settings
from store.db import session_for
from workers.activities.consent import ConsentActivitiesImpl
from workers.activities.identity import IdentityActivitiesImpl
from workers.activities.profiling import ProfilingActivitiesImpl

M = TypeVar("M", bound=SQLModel)
#: A complete profile: every field the profiling plan asks for.
PROFILED = {
    "display_name": "Test",
    "country": "FR",
    "phone": "+33612345678",
    "address": "1 rue de la Paix, Paris",
    "language": "en",
    "frequency": "monthly",
}


def rows(settings: Settings, model: type[M], **where: Any) -> list[M]:
    """Every row of ``model`` whose columns equal ``where``."""
    statement = select(model)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    with session_for(settings.database_url) as session:
        return list(session.exec(statement).all())


def one(settings: Settings, model: type[M], **where: Any) -> M:
    """The single row matching ``where`` (fails the test if there are none or several)."""
    found = rows(settings, model, **where)
    assert len(found) == 1, f"expected one {model.__name__} for {where}, found {len(found)}"
    return found[0]


def update(settings: Settings, row: SQLModel, **values: Any) -> None:
    """Change columns of ``row`` (e.g. move an expiry into the past instead of waiting)."""
    with session_for(settings.database_url) as session:
        for column, value in values.items():
            setattr(row, column, value)
        session.add(row)


def new_journey_id(journey: str = "registration") -> str:
    """A journey id shaped like the web layer's."""
    return f"{journey}-{uuid.uuid4()}"


def unique_email(tag: str = "customer") -> str:
    """An address no other test uses (the SMTP catcher is shared by the session)."""
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def register_customer(
    settings: Settings,
    email: str,
    password: str = "violet-tractor-harbour",
    *,
    profiled: bool = True,
) -> str:
    """Create a customer (terms accepted) the way registration does; returns the customer id.

    ``profiled`` stores every field of the profiling plan, so sign-ins show no profiling screen
    (tests about progressive profiling pass ``False``).
    """
    journey_id = new_journey_id()
    identity = IdentityActivitiesImpl(settings)
    sealed = Sealer(settings.derive_key("sealing")).seal(
        password, journey_id=journey_id, field="password"
    )
    identity.stage_registration(
        StageRegistration(journey_id=journey_id, email=email, password=sealed)
    )
    customer_id = identity.create_customer(CreateCustomer(journey_id=journey_id)).customer_id
    ConsentActivitiesImpl(settings).record(
        RecordConsents(
            customer_id=customer_id,
            journey_id=journey_id,
            channel="registration",
            grants=[
                PurposeGrant(purpose="terms", version=CATALOGUE["terms"].version, granted=True)
            ],
        )
    )
    if profiled:
        ProfilingActivitiesImpl(settings).save(
            SaveProfile(customer_id=customer_id, source=journey_id, values=PROFILED)
        )
    return customer_id

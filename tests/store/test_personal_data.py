"""The personal-data inventory is complete, and an erasure leaves only what it declares.

The second test walks a customer through registration, profile, consents, an authenticator and
recovery codes, a risk baseline, a failed and then a stepped-up sign-in (a real login journey), a
linked upstream identity, an export and webhooks, then erases them with the real deprovisioning
journey and scans every column of every table, on SQLite and PostgreSQL, for the email, the name,
the phone number and the customer id.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import inspect, text
from sqlmodel import SQLModel
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

import store.models  # noqa: F401  (registers the tables)
from contracts.consent import PurposeGrant, RecordConsents
from contracts.consents import CATALOGUE
from contracts.events import EmitEvent
from contracts.export import PrepareExport
from contracts.login import PasswordChecked
from contracts.profiling import SaveProfile
from contracts.risk import Baseline
from core.settings import Settings
from store import webhook_subscriptions as subscriptions
from store.db import session_for
from store.factors import FactorStore
from store.idp_models import IdentityLink
from store.login_models import ATTEMPT_RESULT_TTL, AttemptResult
from store.models import utcnow
from store.personal_data import TABLES
from tests.conftest import MakeSettings
from tests.support.login import code_now, enrol_totp, login_worker, pinned, start_login
from tests.support.mail import MailCatcher
from tests.support.receiver import running_receiver
from tests.support.store import register_customer, rows, unique_email
from tests.support.waiting import eventually
from web.gateway.deletion import start_deprovisioning
from workers.activities.attempts import answer_once
from workers.activities.consent import ConsentActivitiesImpl
from workers.activities.events import EventActivitiesImpl
from workers.activities.export import ExportActivitiesImpl
from workers.activities.login import LoginActivitiesImpl
from workers.activities.profiling import ProfilingActivitiesImpl
from workers.activities.risk import RiskActivitiesImpl

PASSWORD = "violet-tractor-harbour"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
#: Columns that may still hold the customer id after an erasure, and why (the inventory's
#: documented exceptions). The deprovisioning journey's id is ``deprovisioning-<customer id>``,
#: so the event ids and audit keys of that journey carry it too.
ALLOWED_AFTER_ERASURE = {
    "customers.id": "the erased customer row",
    "customers.email": "erased-<id>@erased.invalid",
    "erasure_tombstones.customer_id": "the tombstone",
    "consent_records.customer_id": "the proof of consent",
    "outbox_events.customer_id": "receivers match customer.deleted",
    "outbox_events.event_id": "deprovisioning-<id>:customer.deleted",
    "outbox_events.data": "the erasure request's ack_path names its event id",
    "webhook_deliveries.event_id": "deprovisioning-<id>:customer.deleted",
    "audit_events.customer_id": "what was done stays, detail blanked",
    "audit_events.key": "deprovisioning-<id>:… keys",
    "audit_events.journey_id": "deprovisioning-<id>",
}


def test_every_table_and_column_is_declared() -> None:
    """A new table or a misspelt column fails here, so nobody forgets the erasure."""
    schema = SQLModel.metadata.tables
    assert set(TABLES) == set(schema)
    for name, place in TABLES.items():
        columns = set(schema[name].c.keys())
        named = set(place.personal) | {r.column for r in place.rows} | set(place.blank)
        assert named <= columns, f"{name}: no column {sorted(named - columns)}"
        for column in columns:
            if column.endswith("customer_id") or column in {"member_id", "email"}:
                assert column in place.personal or name == "staff_members", f"{name}.{column}"
        if place.handling == "delete":
            assert place.rows, f"{name}: deleted, but how are the customer's rows found?"
        if place.handling == "keep":
            assert place.why, f"{name}: kept without a reason"


def traces(settings: Settings, needles: dict[str, str]) -> dict[str, set[str]]:
    """``{needle name: {table.column, …}}`` for every column of every table holding it."""
    found: dict[str, set[str]] = {name: set() for name in needles}
    with session_for(settings.database_url) as db:
        for table in inspect(db.get_bind()).get_table_names():
            for row in db.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    for name, needle in needles.items():
                        if needle.lower() in str(value).lower():
                            found[name].add(f"{table}.{column}")
    return found


async def test_erasure_leaves_only_the_tombstone_and_the_declared_exceptions(
    client: Client,
    make_settings: MakeSettings,
    smtp_server: MailCatcher,
    db_url: str,
) -> None:
    tag = uuid.uuid4().hex[:8]
    email = unique_email("erase-everything")
    name, phone = f"Henrietta Quill{tag}", f"+3361{int(tag, 16) % 10**8:08d}"
    with running_receiver() as receiver:
        async with login_worker(client, pinned(make_settings(db_url), "step_up")) as settings:
            sub = subscriptions.add(settings, receiver.url, ["login.succeeded", "profile.updated"])
            receiver.secret = sub.secret
            customer_id = register_customer(settings, email, PASSWORD, profiled=False)
            profile = {"display_name": name, "phone": phone, "address": f"{tag} rue Haute"}
            saved = ProfilingActivitiesImpl(settings).save(
                SaveProfile(customer_id=customer_id, source="account", values=profile)
            )
            await ActivityEnvironment(client=client).run(
                EventActivitiesImpl(settings).emit,
                EmitEvent(
                    event_id=f"edit-{tag}:profile.updated",
                    type="profile.updated",
                    customer_id=customer_id,
                    data={"fields": saved, "rule": "contact", "channel": "account"},
                ),
            )
            ConsentActivitiesImpl(settings).record(
                RecordConsents(
                    customer_id=customer_id,
                    journey_id=f"consent-change-{tag}",
                    channel="account",
                    grants=[
                        PurposeGrant(
                            purpose="marketing_email",
                            version=CATALOGUE["marketing_email"].version,
                            granted=True,
                        )
                    ],
                )
            )
            app = enrol_totp(settings, customer_id)
            FactorStore(settings).new_recovery_codes(customer_id)
            RiskActivitiesImpl(settings).cold_start(
                Baseline(
                    journey_id=f"registration-{tag}",
                    customer_id=customer_id,
                    client_ip="198.51.100.20",
                    user_agent=CHROME,
                    device="device-erase",
                    at=utcnow(),
                )
            )
            with session_for(settings.database_url) as db:
                db.add(
                    IdentityLink(
                        idp_name="corp",
                        issuer="https://idp.example",
                        subject=f"sub-{tag}",
                        customer_id=customer_id,
                    )
                )
            login = await start_login(client, settings, user_agent=CHROME, device="device-erase")
            await login.submit(email=email, password="not-the-password")
            assert (await login.submit(email=email, password=PASSWORD)).screen == "choose-factor"
            await login.submit(factor="totp")
            await login.submit(code=code_now(app))
            assert (await login.result()).kind == "signed_in"
            export = ExportActivitiesImpl(settings).prepare(
                PrepareExport(journey_id=f"export-{tag}", customer_id=customer_id)
            )
            assert export.found

            async def delivered() -> None:
                assert len(receiver.unique()) == 2

            await eventually(delivered)
            needles = {"email": email, "name": name, "phone": phone, "customer id": customer_id}
            before = traces(settings, needles)
            assert "attempt_results.result" in before["email"]
            assert {"profile_fields.value"} <= before["name"] & before["phone"]
            for place in ("risk_failures", "risk_known_devices", "risk_login_events"):
                assert f"{place}.customer_id" in before["customer id"]

            handle = await start_deprovisioning(
                client, settings, customer_id, immediate=True, requested_by="customer"
            )
            assert (await handle.result()).kind == "redirect"
            after = traces(settings, needles)

    assert after["email"] == set()
    assert after["name"] == set()
    assert after["phone"] == set()
    assert after["customer id"] - set(ALLOWED_AFTER_ERASURE) == set()
    assert "erasure_tombstones.customer_id" in after["customer id"]


def test_attempt_results_name_the_customer_and_expire(db_settings: Settings) -> None:
    """A stored answer carries its customer (erasure finds it) and goes after its lifetime."""
    group = LoginActivitiesImpl(db_settings)
    customer_id = register_customer(db_settings, unique_email("attempts"))
    old = AttemptResult(
        attempt_id=f"old-{uuid.uuid4()}",
        result="{}",
        created_at=utcnow() - ATTEMPT_RESULT_TTL - timedelta(minutes=1),
    )
    with session_for(db_settings.database_url) as db:
        db.add(old)
    answer = PasswordChecked(ok=True, customer_id=customer_id, email="a@example.com")
    attempt_id = f"new-{uuid.uuid4()}"
    assert answer_once(group, attempt_id, PasswordChecked, lambda: answer) == answer
    (stored,) = rows(db_settings, AttemptResult, attempt_id=attempt_id)
    assert stored.customer_id == customer_id
    assert rows(db_settings, AttemptResult, attempt_id=old.attempt_id) == []
    assert answer_once(group, attempt_id, PasswordChecked, lambda: PasswordChecked(ok=False)) == (
        answer
    )

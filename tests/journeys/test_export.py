"""The export journey and its download link: everything held about the customer, no secrets, once.

The expected contents are found independently of the export code: a raw scan of every table of
the migrated database that has a customer column.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import inspect, text
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from journeys.export import ExportStart
from journeys.kit import Outcome
from store.db import session_for
from store.export_models import DataExport
from store.factors import FactorStore
from tests.conftest import MakeSettings
from tests.support.browser import browser_for
from tests.support.login import enrol_totp, login_worker, pinned, start_login
from tests.support.mail import MailCatcher, text_of
from tests.support.store import register_customer, rows, unique_email
from tests.support.temporal import fast_forward
from tests.web.test_login import sign_in
from web.app import create_app

PASSWORD = "violet-tractor-harbour"


def held_about(settings: Settings, customer_id: str) -> dict[str, int]:
    """Rows per table naming the customer, by a raw scan of the database."""
    counts: dict[str, int] = {}
    with session_for(settings.database_url) as db:
        inspector = inspect(db.get_bind())
        for table in inspector.get_table_names():
            columns = {c["name"] for c in inspector.get_columns(table)}
            for column in ("customer_id", "expected_customer_id"):
                if column in columns and table != "data_exports":
                    sql = text(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = :c')
                    found = db.execute(sql, {"c": customer_id}).scalar_one()
                    if found:
                        counts[table] = counts.get(table, 0) + int(found)
    return counts


async def test_export_holds_every_table_and_no_secret_and_works_once(
    client: Client,
    make_settings: MakeSettings,
    sqlite_url: str,
    smtp_server: MailCatcher,
    temporal_env: WorkflowEnvironment,
) -> None:
    email = unique_email("export")
    async with login_worker(client, pinned(make_settings(sqlite_url), "allow")) as settings:
        customer_id = register_customer(settings, email, PASSWORD)
        seed = enrol_totp(settings, customer_id).secret
        codes = FactorStore(settings).new_recovery_codes(customer_id)
        login = await start_login(client, settings)
        await login.submit(email=email, password=PASSWORD)
        assert (await login.result()).kind == "signed_in"
        expected = held_about(settings, customer_id)

        handle = await client.start_workflow(
            "export",
            ExportStart(customer_id=customer_id),
            id=f"export-test-{customer_id}",
            task_queue=settings.task_queue,
            result_type=Outcome,
        )
        message = await smtp_server.wait_for(to=email)
        link = next(w for w in text_of(message).split() if "/account/export/" in w)
        assert "change your password" in text_of(message)  # this customer has one
        path = link.replace(settings.base_url, "")
        app = create_app(settings, client=client)
        other = unique_email("export-other")
        register_customer(settings, other, PASSWORD)
        async with browser_for(app) as owner, browser_for(app) as stranger:
            base = path.split("?")[0]
            assert (await owner.get(base + "?token=short")).status == 400
            # Without a session the link leads to sign-in, and back to itself.
            anonymous = await owner.get(path)
            assert anonymous.status == 303
            assert anonymous.response.headers["location"].startswith("/login?return_to=")
            # Another signed-in customer holding the link gets what a wrong link gets.
            signed = await sign_in(stranger, other, PASSWORD)
            assert signed.response.headers.get("location") == "/account", signed.html[:400]
            refused = await stranger.get(path)
            assert refused.status == 404, refused.response.headers.get("location")
            assert (await sign_in(owner, email, PASSWORD)).status == 303
            assert (await owner.get(base + "?token=" + "a" * 64)).status == 404
            first = (await owner.get(path)).response
            assert first.status_code == 200, first.text[:300]
            assert (await owner.get(path)).status == 410  # single use

        raw = first.text
        document = json.loads(raw)
        assert document["customer"]["email"] == email
        assert {t: len(r) for t, r in document["tables"].items()} == expected
        assert {"credentials", "consent_records", "totp_factors"} <= set(expected)
        assert "credentials.secret_hash" in document["withheld"]
        assert "$argon2" not in raw and seed not in raw
        assert all(code not in raw for code in codes)
        stored = rows(settings, DataExport, customer_id=customer_id)[0]
        assert email not in stored.box  # encrypted at rest
        token = path.split("token=")[1]
        assert token not in stored.token_hash and token not in stored.box  # only a keyed hash

        await fast_forward(temporal_env, handle, timedelta(hours=25))  # ends at 24 h
        outcome = await handle.result()
        assert "expired" in outcome.reason
        assert rows(settings, DataExport, customer_id=customer_id) == []

"""Consent activities on SQLite and PostgreSQL: append-only, idempotent, and what is due."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text
from sqlalchemy.exc import DatabaseError

from contracts import consents
from contracts.consent import ConsentsOf, PurposeGrant, RecordConsents
from contracts.consents import CATALOGUE
from core.settings import Settings
from store.db import session_for
from store.models import AuditEvent, ConsentRecord
from tests.support.store import new_journey_id, register_customer, rows, unique_email
from workers.activities.consent import ConsentActivitiesImpl

TERMS = PurposeGrant(purpose="terms", version="2026-01", granted=True)
NEWS = PurposeGrant(purpose="newsletter", version="2026-01", granted=False)
MARKETING = PurposeGrant(purpose="marketing_email", version="2026-01", granted=True)


def test_recording_twice_for_one_journey_writes_each_purpose_once(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())
    journey_id = new_journey_id()
    request = RecordConsents(
        customer_id=customer_id, journey_id=journey_id, channel="registration", grants=[TERMS, NEWS]
    )
    consent = ConsentActivitiesImpl(db_settings)

    assert consent.record(request) == 2
    assert consent.record(request) == 0

    records = rows(db_settings, ConsentRecord, journey_id=journey_id)
    assert sorted((r.purpose, r.version, r.granted, r.channel) for r in records) == [
        ("newsletter", "2026-01", False, "registration"),
        ("terms", "2026-01", True, "registration"),
    ]
    audit = rows(db_settings, AuditEvent, kind="consent.changed", journey_id=journey_id)
    assert len(audit) == 1
    assert '"purposes": ["terms"]' in audit[0].detail


def test_history_only_grows_across_grants_and_withdrawals(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())
    consent = ConsentActivitiesImpl(db_settings)

    def snapshot() -> list[tuple[object, ...]]:
        return sorted(
            (r.id, r.purpose, r.version, r.granted, r.journey_id, r.at)
            for r in rows(db_settings, ConsentRecord, customer_id=customer_id)
        )

    before = snapshot()
    for granted in (True, False, True, False):
        consent.record(
            RecordConsents(
                customer_id=customer_id,
                journey_id=new_journey_id("account"),
                channel="account",
                grants=[MARKETING.model_copy(update={"granted": granted})],
            )
        )
        after = snapshot()
        assert after[: len(before)] == before  # every earlier row is still there, unchanged
        assert len(after) == len(before) + 1
        before = after

    mine = rows(db_settings, ConsentRecord, customer_id=customer_id, purpose="marketing_email")
    assert [r.granted for r in sorted(mine, key=lambda r: r.id or 0)] == [True, False, True, False]


def test_the_database_rejects_rewriting_consent_history(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())
    [record] = rows(db_settings, ConsentRecord, customer_id=customer_id)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        session_for(db_settings.database_url) as db,
    ):
        db.execute(
            text("UPDATE consent_records SET granted = false WHERE id = :id"), {"id": record.id}
        )

    assert rows(db_settings, ConsentRecord, customer_id=customer_id)[0].granted is True
    # Erasure (deprovisioning) may still remove a deleted customer's rows: DELETE stays allowed.
    with session_for(db_settings.database_url) as db:
        db.execute(delete(ConsentRecord).where(ConsentRecord.customer_id == customer_id))  # type: ignore[arg-type]
    assert rows(db_settings, ConsentRecord, customer_id=customer_id) == []


def test_nothing_is_due_after_registration(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())

    due = ConsentActivitiesImpl(db_settings).due(ConsentsOf(customer_id=customer_id))

    assert due.required == []
    assert [p.name for p in due.optional] == consents.optional_names()
    assert due.granted == []


def test_a_new_terms_version_is_due_and_optional_choices_are_reported(
    db_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = register_customer(db_settings, unique_email())
    consent = ConsentActivitiesImpl(db_settings)
    consent.record(
        RecordConsents(
            customer_id=customer_id,
            journey_id=new_journey_id("account"),
            channel="account",
            grants=[MARKETING],
        )
    )
    bumped = CATALOGUE["terms"].model_copy(update={"version": "2026-07"})
    monkeypatch.setitem(CATALOGUE, "terms", bumped)

    due = consent.due(ConsentsOf(customer_id=customer_id))

    assert [(p.name, p.version, p.required) for p in due.required] == [("terms", "2026-07", True)]
    assert due.granted == ["marketing_email"]


def test_a_withdrawn_required_purpose_is_due_again(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())
    consent = ConsentActivitiesImpl(db_settings)
    consent.record(
        RecordConsents(
            customer_id=customer_id,
            journey_id=new_journey_id("account"),
            channel="account",
            grants=[TERMS.model_copy(update={"granted": False})],
        )
    )

    assert [p.name for p in consent.due(ConsentsOf(customer_id=customer_id)).required] == ["terms"]

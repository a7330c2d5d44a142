"""Consent activities on SQLite and PostgreSQL: append-only and idempotent per journey."""

from __future__ import annotations

from tests.support.store import new_journey_id, register_customer, rows, unique_email
from workers.activities.consent import ConsentActivities, PurposeGrant, RecordConsents
from workers.settings import Settings
from workers.store.models import AuditEvent, ConsentRecord

TERMS = PurposeGrant(purpose="terms", version="2026-01", granted=True)
NEWS = PurposeGrant(purpose="newsletter", version="2026-01", granted=False)


def test_recording_twice_for_one_journey_writes_each_purpose_once(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())
    journey_id = new_journey_id()
    request = RecordConsents(
        customer_id=customer_id, journey_id=journey_id, channel="registration", grants=[TERMS, NEWS]
    )
    consent = ConsentActivities(db_settings)

    assert consent.record(request) == 2
    assert consent.record(request) == 0

    records = rows(db_settings, ConsentRecord, customer_id=customer_id)
    assert sorted((r.purpose, r.version, r.granted, r.channel) for r in records) == [
        ("newsletter", "2026-01", False, "registration"),
        ("terms", "2026-01", True, "registration"),
    ]
    audit = rows(db_settings, AuditEvent, kind="consent.changed", journey_id=journey_id)
    assert len(audit) == 1
    assert '"purposes": ["terms"]' in audit[0].detail


def test_history_is_append_only_across_journeys(db_settings: Settings) -> None:
    customer_id = register_customer(db_settings, unique_email())
    consent = ConsentActivities(db_settings)
    withdrawn = PurposeGrant(purpose="terms", version="2026-01", granted=False)

    for grant in (TERMS, withdrawn):
        consent.record(
            RecordConsents(
                customer_id=customer_id,
                journey_id=new_journey_id("consent"),
                channel="account",
                grants=[grant],
            )
        )

    records = rows(db_settings, ConsentRecord, customer_id=customer_id, purpose="terms")
    assert sorted(r.granted for r in records) == [False, True]

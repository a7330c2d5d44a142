"""The SQL store on SQLite and PostgreSQL: counts, idempotency, velocity, travel, concurrency."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from core.settings import Settings
from store.db import session_for
from workers.risk.features import extract
from workers.risk.store import Attempt, SqlRiskStore

HOME_IP = "81.2.69.160"  # GB in the bundled data
TOKYO_IP = "133.242.0.1"  # JP
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def store_for(settings: Settings) -> SqlRiskStore:
    return SqlRiskStore(settings.database_url, settings.derive_key("risk-features"))


def attempt(
    journey_id: str,
    *,
    customer_id: str | None = "c-1",
    client_ip: str = HOME_IP,
    at: datetime = AT,
    device: str = "device-1",
) -> Attempt:
    return Attempt(
        journey_id=journey_id,
        customer_id=customer_id,
        client_ip=client_ip,
        features=extract(client_ip, BROWSER, device),
        at=at,
    )


def test_a_success_counts_every_level_for_the_customer_and_globally(db_settings: Settings) -> None:
    store = store_for(db_settings)
    first = attempt("login-1")
    assert store.record(first, success=True)

    evidence = store.evidence(attempt("login-2", at=AT + timedelta(days=1)))

    paths = [level.path for chain in first.features.chains for level in chain]
    assert evidence.history == 1
    assert evidence.global_[""] == 1
    assert all(evidence.customer[p] == 1 and evidence.global_[p] == 1 for p in paths)
    country, asn = first.features.network[0].path, first.features.network[1].path
    assert evidence.distinct[("", "country")] == 1
    assert evidence.distinct[(country, "asn")] == 1
    assert evidence.distinct[(asn, "subnet")] == 1
    assert evidence.distinct[("", "device")] == 1


def test_recording_the_same_outcome_twice_counts_once(db_settings: Settings) -> None:
    store = store_for(db_settings)

    assert store.record(attempt("login-1"), success=True)
    assert not store.record(attempt("login-1"), success=True)
    assert store.record(attempt("login-1"), success=False)  # a failure earlier in the journey
    assert not store.record(attempt("login-1"), success=False)

    evidence = store.evidence(attempt("login-2", at=AT + timedelta(minutes=5)))
    assert evidence.history == 1
    assert (evidence.velocity.account_hour, evidence.velocity.account_day) == (1, 1)


def test_other_customers_build_the_global_counts_only(db_settings: Settings) -> None:
    store = store_for(db_settings)
    store.record(attempt("login-1", customer_id="someone-else"), success=True)

    evidence = store.evidence(attempt("login-2"))
    assert evidence.history == 0
    assert evidence.customer == {}
    assert evidence.global_[""] == 1


def test_failures_are_counted_per_account_and_per_ip_in_the_last_hour_and_day(
    db_settings: Settings,
) -> None:
    store = store_for(db_settings)
    ages = [timedelta(minutes=5), timedelta(minutes=50), timedelta(hours=3), timedelta(days=2)]
    for n, age in enumerate(ages):
        store.record(attempt(f"fail-{n}", at=AT - age), success=False)
    minute_ago = AT - timedelta(minutes=1)
    store.record(attempt("other-ip", client_ip="8.8.8.8", at=minute_ago), success=False)
    store.record(attempt("later", at=AT + timedelta(minutes=1)), success=False)

    velocity = store.evidence(attempt("now")).velocity

    assert (velocity.account_hour, velocity.account_day) == (3, 4)  # 5m, 50m, other-ip; +3h
    assert (velocity.ip_hour, velocity.ip_day) == (0, 0)  # only this account failed here


def test_every_failed_step_of_one_journey_counts_once(db_settings: Settings) -> None:
    store = store_for(db_settings)
    for minute in range(3):  # three wrong passwords in one journey
        at = AT - timedelta(minutes=10 - minute)
        assert store.record(attempt("login-1", at=at), success=False)
    wrong_code = dataclasses.replace(
        attempt("login-1", at=AT - timedelta(minutes=5)), step="second_factor"
    )
    assert store.record(wrong_code, success=False)
    assert not store.record(wrong_code, success=False)  # a retried activity

    velocity = store.evidence(attempt("now")).velocity

    assert (velocity.account_hour, velocity.account_day) == (4, 4)


def test_other_accounts_failing_from_one_ip_weigh_by_distinct_accounts(
    db_settings: Settings,
) -> None:
    store = store_for(db_settings)
    minute = timedelta(minutes=1)
    for n in range(6):  # one colleague behind the office NAT mistypes six times
        store.record(
            attempt(f"colleague-{n}", customer_id="c-2", at=AT - n * minute), success=False
        )
    for n in range(3):  # one unknown email, retyped in one journey
        store.record(attempt("unknown", customer_id=None, at=AT - n * minute), success=False)
    store.record(attempt("stranger", customer_id="c-3", at=AT - timedelta(hours=2)), success=False)
    store.record(attempt("own", at=AT - minute), success=False)  # the customer's own failure

    velocity = store.evidence(attempt("now")).velocity

    assert (velocity.ip_hour, velocity.ip_day) == (2, 3)  # c-2, unknown; + c-3
    assert (velocity.account_hour, velocity.account_day) == (1, 1)


def test_a_success_far_away_just_before_is_impossible_travel(db_settings: Settings) -> None:
    store = store_for(db_settings)
    store.record(attempt("login-1", at=AT), success=True)

    soon = store.evidence(attempt("login-2", client_ip=TOKYO_IP, at=AT + timedelta(hours=1)))
    later = store.evidence(attempt("login-3", client_ip=TOKYO_IP, at=AT + timedelta(days=2)))

    assert soon.travel is not None
    assert (soon.travel.origin, soon.travel.destination) == ("GB", "JP")
    assert later.travel is None


def test_the_tables_hold_no_address_or_device_in_the_clear(db_settings: Settings) -> None:
    store = store_for(db_settings)
    store.record(attempt("login-1", device="device-secret-hash"), success=True)
    store.record(attempt("login-2", device="device-secret-hash"), success=False)

    with session_for(db_settings.database_url) as session:
        cells = [
            str(cell)
            for table in ("risk_global_counts", "risk_customer_counts", "risk_login_events")
            for row in session.connection().execute(text(f"SELECT * FROM {table}"))
            for cell in row
        ]
    assert cells
    for secret in (HOME_IP, "81.2.69.0/24", "device-secret-hash", "Firefox"):
        assert not [c for c in cells if secret in c]


def test_concurrent_successes_of_one_customer_end_with_exact_counts(db_settings: Settings) -> None:
    store = store_for(db_settings)
    journeys = [f"login-{n}" for n in range(40)]

    def record(journey_id: str) -> bool:
        return store.record(attempt(journey_id), success=True)

    # Every journey twice (a retried activity racing its first attempt), 16 threads at once.
    with ThreadPoolExecutor(16) as pool:
        written = list(pool.map(record, journeys + journeys))

    assert written.count(True) == len(journeys)
    evidence = store.evidence(attempt("next", at=AT + timedelta(days=1)))
    assert evidence.history == len(journeys)
    assert evidence.global_[""] == len(journeys)
    usual = attempt("next").features
    assert all(evidence.customer[level.path] == 40 for c in usual.chains for level in c)
    assert evidence.distinct[("", "country")] == 1

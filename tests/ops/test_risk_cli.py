"""``threshold risk explain|policy`` on SQLite and PostgreSQL: a journey's or a session's risk
decisions in plain words from the audit log; the thresholds in force; unknown ids are a message."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.risk import LoginRecord, LoginSignals
from core.settings import Settings
from ops.cli import main
from store.db import session_for
from store.models import Session
from tests.support.store import register_customer, unique_email
from workers.activities.risk import RiskActivitiesImpl

HOME_IP = "81.2.69.160"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
START = datetime(2026, 3, 1, 8, tzinfo=UTC)


@pytest.fixture
def env(db_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("THRESHOLD_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("THRESHOLD_SECRET_KEY", db_settings.secret_key)
    monkeypatch.setenv("THRESHOLD_ENVIRONMENT", "test")
    return db_settings


def signals(customer_id: str, n: int, **changes: object) -> LoginSignals:
    usual = LoginSignals(
        journey_id=f"login-{uuid.uuid4()}",
        customer_id=customer_id,
        client_ip=HOME_IP,
        user_agent=CHROME,
        device="device-1",
        at=START + timedelta(days=n),
    )
    return usual.model_copy(update=changes)


def test_explain_a_journey_and_a_session(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    customer_id = register_customer(env, unique_email())
    risk = RiskActivitiesImpl(env)
    for n in range(5):
        risk.record(LoginRecord(signals=signals(customer_id, n), success=True))
    odd = signals(customer_id, 9, client_ip="8.8.8.8", device="other")
    assessment = risk.assess(odd)
    session_id = "session-cookie-value"
    with session_for(env.database_url) as db:
        db.add(
            Session(
                id_hash=hashlib.sha256(session_id.encode()).hexdigest(),
                customer_id=customer_id,
                journey_id=odd.journey_id,
                idle_expires_at=START + timedelta(days=30),
                absolute_expires_at=START + timedelta(days=30),
            )
        )

    assert main(["risk", "explain", odd.journey_id]) == 0
    by_journey = capsys.readouterr().out
    assert main(["risk", "explain", session_id]) == 0
    by_session = capsys.readouterr().out

    assert by_journey == by_session
    assert f"journey {odd.journey_id}" in by_journey
    assert f"{assessment.decision}  score {assessment.score}" in by_journey
    assert assessment.summary in by_journey
    # The words support reads on /support (contracts.risk_explain), not raw reason codes.
    assert "unusual: New country: US: unusual, but not enough for a second step." in by_journey
    assert "unusual: Unrecognised device: unusual, but not enough" in by_journey
    assert "8.8.8.8" not in by_journey


def test_an_unknown_id_is_a_message(env: Settings) -> None:
    with pytest.raises(SystemExit, match="no risk decision"):
        main(["risk", "explain", "login-nothing-here"])


def test_policy_prints_the_table_in_force(
    env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THRESHOLD_RISK_STEP_UP_THRESHOLDS", '{"10+": -7.5}')

    assert main(["risk", "policy"]) == 0

    out = capsys.readouterr().out
    assert "10+      -7.5" in out
    assert "deny above 10" in out

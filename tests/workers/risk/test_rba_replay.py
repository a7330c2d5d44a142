"""The replay harness on the shipped synthetic sample in the RBA-dataset format (Wiefling et al.):
rows parse, failures feed velocity, takeovers score above genuine logins, the shipped policy
catches them; a file in another format is refused."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from bench.rba_replay import attempt, read_events, replay, report
from core.settings import Settings
from workers.risk.policy import RiskPolicy
from workers.risk.store import SqlRiskStore

SAMPLE = Path(__file__).resolve().parents[3] / "bench" / "data" / "rba-sample.csv"


def test_the_sample_replays_and_takeovers_stand_out(db_settings: Settings) -> None:
    events = list(read_events(SAMPLE))
    store = SqlRiskStore(db_settings.database_url, db_settings.derive_key("risk-features"))

    result = replay(iter(events), store)

    assert result.rows == len(events) == SAMPLE.read_text().count("\n") - 1
    assert result.failures == sum(1 for e in events if not e.success)
    assert len(result.takeovers) == sum(1 for e in events if e.takeover) > 0
    lowest_takeover = min(score for score, _ in result.takeovers)
    genuine = sorted(score for score, _ in result.genuine)
    assert lowest_takeover > genuine[int(0.9 * len(genuine))]  # above 90% of genuine logins
    lines = report(result, RiskPolicy())
    assert lines[0].startswith(f"{result.rows} rows: {len(result.genuine)} genuine")
    assert "takeovers caught 100.0%" in lines[2]
    stuffed = [e for e in events if e.attack_ip and not e.success]
    next_try = dataclasses.replace(
        stuffed[-1], user_id="another-account", at=stuffed[-1].at + timedelta(minutes=1)
    )
    velocity = store.evidence(attempt(next_try)).velocity
    assert velocity.ip_hour == len({e.user_id for e in stuffed})  # distinct accounts


def test_a_file_in_another_format_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "logins.csv"
    other.write_text("user,ip,when\nu1,1.2.3.4,2020-01-01\n")
    with pytest.raises(ValueError, match="not in the RBA-dataset format"):
        list(read_events(other))


def test_users_can_be_sampled_stably() -> None:
    users = {e.user_id for e in read_events(SAMPLE)}
    half = {e.user_id for e in read_events(SAMPLE, users_percent=50)}
    assert half < users
    assert half == {e.user_id for e in read_events(SAMPLE, users_percent=50)}

"""Duration settings: ISO 8601 or seconds, far below a day; the older whole-day settings still
decide when a duration is unset; a reminder exists only when the grace period leaves room for it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from core.settings import Settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PT90S", timedelta(seconds=90)),
        ("P2DT12H", timedelta(days=2, hours=12)),
        ("P1W", timedelta(days=7)),
        ("90", timedelta(seconds=90)),
        ("1.5", timedelta(seconds=1.5)),
        ("0", timedelta(0)),
        ("PT0S", timedelta(0)),
    ],
)
def test_durations_read_iso_8601_or_seconds_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: timedelta
) -> None:
    monkeypatch.setenv("THRESHOLD_DELETION_GRACE_PERIOD", raw)
    monkeypatch.setenv("THRESHOLD_ERASURE_ACK_PERIOD", raw)

    settings = Settings()

    assert settings.deletion_grace == expected and settings.erasure_ack_deadline == expected


@pytest.mark.parametrize("raw", ["-5", "P-1D", "soon", "3 weeks"])
def test_a_negative_or_unreadable_duration_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("THRESHOLD_DELETION_GRACE_PERIOD", raw)

    with pytest.raises(ValidationError):
        Settings()


def test_the_day_settings_still_work_when_no_duration_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THRESHOLD_DELETION_GRACE_DAYS", "0")
    monkeypatch.setenv("THRESHOLD_ERASURE_ACK_DEADLINE_DAYS", "2")

    settings = Settings()

    assert settings.deletion_grace == timedelta(0)
    assert settings.erasure_ack_deadline == timedelta(days=2)
    assert Settings(deletion_grace_seconds=45).deletion_grace == timedelta(seconds=45)
    assert Settings().model_copy(update={"deletion_grace_days": 10}).deletion_grace == timedelta(
        days=10
    )
    both = Settings(deletion_grace_days=10, deletion_grace_period=timedelta(minutes=2))
    assert both.deletion_grace == timedelta(minutes=2)  # the duration wins


@pytest.mark.parametrize(
    ("grace", "lead", "reminder"),
    [
        (timedelta(days=30), timedelta(days=3), timedelta(days=3)),
        (timedelta(days=3), timedelta(days=3), None),  # it would go out with the first notice
        (timedelta(days=1), timedelta(days=3), None),
        (timedelta(0), timedelta(days=3), None),
        (timedelta(minutes=2), timedelta(seconds=30), timedelta(seconds=30)),
        (timedelta(days=30), timedelta(0), None),
    ],
)
def test_a_reminder_only_when_the_grace_period_leaves_room_for_it(
    grace: timedelta, lead: timedelta, reminder: timedelta | None
) -> None:
    settings = Settings(deletion_grace_period=grace, deletion_reminder_before=lead)

    assert settings.deletion_reminder == reminder

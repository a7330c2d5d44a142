"""Sealed secrets: bound to one journey and field, openable only within their time window."""

from __future__ import annotations

import os
import types
from collections.abc import Callable

import pytest

from core.security import sealing
from core.security.sealing import Sealer, SealError
from journeys.kit import Sealed

WINDOW = Sealer.WINDOW_SECONDS
START = 1_800_000_000.0  # a fixed instant, so the test knows which window it seals in


@pytest.fixture
def sealer() -> Sealer:
    return Sealer(os.urandom(32))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The sealing module's notion of now, settable by the test (only that module sees it)."""
    now = [START]
    monkeypatch.setattr(sealing, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


def test_round_trip(sealer: Sealer) -> None:
    sealed = sealer.seal("correct horse battery", journey_id="j-1", field="password")

    assert sealer.open(sealed, journey_id="j-1", field="password") == "correct horse battery"


def test_sealed_value_hides_the_secret_even_in_repr(sealer: Sealer) -> None:
    sealed = sealer.seal("correct horse battery", journey_id="j-1", field="password")

    assert "correct horse" not in sealed.model_dump_json()
    assert "correct horse" not in repr(sealed) and sealed.box not in repr(sealed)
    assert sealed.kid.startswith("w")


def test_same_secret_seals_differently_each_time(sealer: Sealer) -> None:
    first = sealer.seal("123456", journey_id="j-1", field="code")
    second = sealer.seal("123456", journey_id="j-1", field="code")

    assert first.box != second.box


def test_wrong_journey_does_not_open(sealer: Sealer) -> None:
    sealed = sealer.seal("123456", journey_id="j-1", field="code")

    with pytest.raises(SealError):
        sealer.open(sealed, journey_id="j-2", field="code")


def test_wrong_field_does_not_open(sealer: Sealer) -> None:
    sealed = sealer.seal("123456", journey_id="j-1", field="code")

    with pytest.raises(SealError):
        sealer.open(sealed, journey_id="j-1", field="password")


def test_another_deployments_key_does_not_open(sealer: Sealer) -> None:
    sealed = sealer.seal("123456", journey_id="j-1", field="code")

    with pytest.raises(SealError):
        Sealer(os.urandom(32)).open(sealed, journey_id="j-1", field="code")


@pytest.mark.parametrize(
    "broken",
    [
        lambda s: Sealed(kid=s.kid, box=s.box[:-4] + ("AAAA" if s.box[-4:] != "AAAA" else "BBBB")),
        lambda s: Sealed(kid=s.kid, box="not base64 at all!"),
        lambda s: Sealed(kid=s.kid, box=""),
        lambda s: Sealed(kid="k1", box=s.box),
        lambda s: Sealed(kid="w", box=s.box),
        lambda s: Sealed(kid="w-1", box=s.box),
    ],
    ids=["tampered", "garbage", "empty", "foreign-kid", "kid-without-window", "negative-window"],
)
def test_malformed_or_tampered_values_raise_seal_error(
    sealer: Sealer, broken: Callable[[Sealed], Sealed]
) -> None:
    sealed = sealer.seal("123456", journey_id="j-1", field="code")

    with pytest.raises(SealError):
        sealer.open(broken(sealed), journey_id="j-1", field="code")


def test_opens_within_the_next_window(sealer: Sealer, clock: list[float]) -> None:
    sealed = sealer.seal("123456", journey_id="j-1", field="code")
    clock[0] = START + WINDOW  # one window later

    assert sealer.open(sealed, journey_id="j-1", field="code") == "123456"


def test_expired_window_does_not_open(sealer: Sealer, clock: list[float]) -> None:
    sealed = sealer.seal("123456", journey_id="j-1", field="code")
    clock[0] = START + Sealer.LIFETIME_WINDOWS * WINDOW

    with pytest.raises(SealError, match="expired"):
        sealer.open(sealed, journey_id="j-1", field="code")


def test_value_from_a_future_window_does_not_open(sealer: Sealer, clock: list[float]) -> None:
    clock[0] = START + 5 * WINDOW
    sealed = sealer.seal("123456", journey_id="j-1", field="code")
    clock[0] = START

    with pytest.raises(SealError):
        sealer.open(sealed, journey_id="j-1", field="code")


def test_window_keys_differ_so_an_old_box_cannot_be_relabelled(
    sealer: Sealer, clock: list[float]
) -> None:
    """Moving a box into a newer window's key id must not revive it."""
    sealed = sealer.seal("123456", journey_id="j-1", field="code")
    clock[0] = START + Sealer.LIFETIME_WINDOWS * WINDOW
    relabelled = Sealed(kid=f"w{int(clock[0]) // WINDOW}", box=sealed.box)

    with pytest.raises(SealError):
        sealer.open(relabelled, journey_id="j-1", field="code")

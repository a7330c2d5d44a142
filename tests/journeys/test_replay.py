"""Replay every committed history against today's journey code: nondeterminism fails the build.

The histories in ``tests/histories/`` were recorded by ``python -m tests.histories.record`` with the
fixed test codec key. A change to a journey that would break workflows already running in
production (reordered steps, a removed activity, a new timer before an existing one) fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.codec import EncryptionCodec
from journeys.catalog import all_journeys
from journeys.consent_change import ConsentChange
from journeys.kit.runner import workflow_runner
from journeys.profile import Profile
from journeys.webhook_delivery import WebhookDeliveryWorkflow
from tests.histories.record import CASES, RECORDED_PASSWORDS, history_file
from tests.support.settings import TEST_CODEC_KEY_ID, build_settings, data_converter

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
FILES = sorted(HISTORIES.glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_every_recorded_case_has_a_history() -> None:
    assert {p.name for p in FILES} >= {history_file(case) for case in CASES}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_history_replays_without_nondeterminism(path: Path) -> None:
    replayer = Replayer(
        workflows=[*all_journeys(), ConsentChange, Profile, WebhookDeliveryWorkflow],
        data_converter=data_converter(),
        workflow_runner=workflow_runner(),
    )

    result = await replayer.replay_workflow(load(path), raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure!r}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_recorded_history_is_encrypted_and_holds_no_password(path: Path) -> None:
    raw = path.read_text()
    assert "@example.com" not in raw  # every payload is encrypted at rest

    ring = build_settings(database_url="sqlite://", smtp_url="smtp://127.0.0.1:1").codec_keyring
    assert list(ring) == [TEST_CODEC_KEY_ID]
    codec = EncryptionCodec(ring)
    history = load(path)
    decoded: list[str] = []
    for event in history.events:
        for payload in _payloads(event):
            [plain] = await codec.decode([payload])
            decoded.append(plain.data.decode(errors="replace"))
    text = "\n".join(decoded)

    # The decoding worked: a start input (journey, consent change, delivery, profile) is readable.
    readable = ('"return_to"', '"channel":"account"', '"subscription_id"', '"customer_id"')
    assert any(marker in text for marker in readable)
    for password in RECORDED_PASSWORDS:
        assert password not in text


def _payloads(message: Message) -> Iterator[Payload]:
    """Every ``Payload`` nested anywhere in a protobuf message (fields, lists and maps)."""
    for descriptor, value in message.ListFields():
        if descriptor.type != descriptor.TYPE_MESSAGE:
            continue
        if descriptor.message_type is not None and descriptor.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif isinstance(value, Message):
            items = [value]
        else:
            items = list(value)
        for item in items:
            if isinstance(item, Payload):
                yield item
            elif isinstance(item, Message):
                yield from _payloads(item)

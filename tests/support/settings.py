"""Settings for tests: fixed keys, isolated from the developer's ``THRESHOLD_*`` environment.

The secret key and the payload-codec key are FIXED on purpose. The histories committed under
``tests/histories/`` were recorded with them: their payloads are AES-GCM encrypted with
:data:`TEST_CODEC_KEYS`, and the replay test decodes them with the same keys. Changing either value
means re-recording the histories (``python -m tests.histories.record``). Neither key protects
anything real; production refuses to start without its own keys.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from temporalio.converter import DataConverter

from core.codec import make_data_converter
from core.settings import Settings

TEST_SECRET_KEY = "test-secret-key-threshold-fixed-do-not-use-anywhere-else"
TEST_CODEC_KEY_ID = "test1"
TEST_CODEC_KEY_B64 = "Ox1mS9ZbwBZ30ljj4Tfl8l2fJxGij2XxOYePVSOQdpc="
TEST_CODEC_KEYS = f"{TEST_CODEC_KEY_ID}:{TEST_CODEC_KEY_B64}"
TEST_BASE_URL = "http://threshold.test"


class IsolatedSettings(Settings):
    """:class:`Settings` that ignore environment variables: a test sees only what it passes."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def unique_task_queue(prefix: str = "test") -> str:
    """A task queue no other test polls, so a worker sees only its own test's workflows."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def build_settings(
    *,
    database_url: str,
    smtp_url: str,
    temporal_address: str = "127.0.0.1:7233",
    task_queue: str | None = None,
    **overrides: Any,
) -> Settings:
    """Test settings with the fixed keys; ``overrides`` replace any other field."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "smtp_url": smtp_url,
        "temporal_address": temporal_address,
        "temporal_namespace": "default",
        "task_queue": task_queue or unique_task_queue(),
        "secret_key": TEST_SECRET_KEY,
        "codec_keys": TEST_CODEC_KEYS,
        "base_url": TEST_BASE_URL,
        "mail_from": "Threshold Tests <no-reply@threshold.test>",
    }
    values.update(overrides)
    return IsolatedSettings(**values)


def data_converter() -> DataConverter:
    """The data converter every test client, worker and replayer shares (fixed codec key)."""
    ring = build_settings(database_url="sqlite://", smtp_url="smtp://127.0.0.1:1").codec_keyring
    return make_data_converter(ring)

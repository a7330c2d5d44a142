"""Configuration shared by the web app, the workers and the dev runner.

Every value comes from an environment variable with the ``THRESHOLD_`` prefix so that one table in
the README documents the whole surface. Outside development the process refuses to start with the
built-in secrets: a forgotten variable must never ship a guessable key.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"


class Settings(BaseSettings):
    """Runtime configuration; construct once per process and pass it down."""

    model_config = SettingsConfigDict(env_prefix="THRESHOLD_", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///.threshold/threshold.db"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "threshold"
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = "Threshold <no-reply@threshold.local>"
    base_url: str = "http://localhost:8000"
    temporal_ui_url: str = "http://localhost:8233"
    secret_key: str = DEFAULT_SECRET_KEY
    codec_keys: str = ""
    dev_mail_dir: str = ""
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    otlp_endpoint: str = ""
    metrics_port: int = 0
    json_logs: bool = False
    email_step_up: bool = True
    #: Per history bucket (``workers/risk/policy.py``); the scalar, when set, overrides them all.
    risk_step_up_thresholds: dict[str, float] = {}
    risk_step_up_threshold: float | None = None
    risk_deny_threshold: float = 10.0
    risk_new_device_step_up: bool = True
    deletion_grace_days: int = 30
    deletion_grace_seconds: int = 0
    erasure_ack_deadline_days: int = 7

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError("THRESHOLD_SECRET_KEY must be set to at least 32 characters")
            if not self.codec_keys:
                raise ValueError("THRESHOLD_CODEC_KEYS must be set in production")
        return self

    @property
    def deletion_grace(self) -> timedelta:
        """The grace period before an erasure: ``deletion_grace_seconds`` when set (tests and
        benchmarks need seconds, not days), else ``deletion_grace_days``."""
        if self.deletion_grace_seconds > 0:
            return timedelta(seconds=self.deletion_grace_seconds)
        return timedelta(days=self.deletion_grace_days)

    @property
    def is_https(self) -> bool:
        """Cookies get ``Secure`` and the ``__Host-`` prefix only when served over TLS."""
        return self.base_url.startswith("https://")

    def derive_key(self, purpose: str) -> bytes:
        """A 256-bit key for one purpose, so one leaked subkey never exposes another."""
        return hashlib.blake2b(
            purpose.encode(), key=self.secret_key.encode()[:64], digest_size=32
        ).digest()

    @cached_property
    def codec_keyring(self) -> dict[str, bytes]:
        """Payload-codec keys by id; the first one encrypts, all of them decrypt.

        ``THRESHOLD_CODEC_KEYS`` is ``kid:base64key,kid:base64key``; rotating means prepending a new
        key and keeping the old ones until no running workflow carries payloads under them.
        """
        if not self.codec_keys:
            return {"dev1": self.derive_key("payload-codec")}
        ring: dict[str, bytes] = {}
        for entry in self.codec_keys.split(","):
            kid, _, encoded = entry.strip().partition(":")
            key = base64.b64decode(encoded)
            if len(key) != 32:
                raise ValueError(f"codec key {kid!r} must be 32 bytes")
            ring[kid] = key
        return ring


DEV_SECRET_FILE = Path(".threshold") / "secret.key"


def load_settings() -> Settings:
    """Read settings from the environment (the only place processes should build them).

    In development without ``THRESHOLD_SECRET_KEY``, the secret ``threshold dev`` generated in
    ``.threshold/secret.key`` is used, so CLI commands run beside ``make run`` (``threshold staff
    add``, ``threshold lookup``) derive the same keys as the running stack.
    """
    settings = Settings()
    if (
        settings.environment == "development"
        and settings.secret_key == DEFAULT_SECRET_KEY
        and DEV_SECRET_FILE.is_file()
    ):
        return settings.model_copy(update={"secret_key": DEV_SECRET_FILE.read_text().strip()})
    return settings

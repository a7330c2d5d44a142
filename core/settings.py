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
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"


def _seconds_or_iso(value: Any) -> Any:
    """``"90"`` (or ``"1.5"``) is seconds; anything else is left to pydantic (ISO 8601 ``PT90S``,
    ``P30D``, a ``timedelta``, a number of seconds)."""
    if isinstance(value, str):
        try:
            return timedelta(seconds=float(value.strip()))
        except ValueError:
            return value
    return value


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("a duration cannot be negative")
    return value


#: A duration setting: an ISO 8601 duration (``P30D``, ``PT2M``, ``P1DT12H``) or seconds (``90``),
#: so tests and demos can use periods far shorter than a day.
Duration = Annotated[timedelta, BeforeValidator(_seconds_or_iso), AfterValidator(_not_negative)]


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
    #: The deletion durations (``THRESHOLD_DELETION_GRACE_PERIOD``, ``…_REMINDER_BEFORE``,
    #: ``THRESHOLD_ERASURE_ACK_PERIOD``) are :data:`Duration` values; when one is unset, the older
    #: whole-day settings (and ``DELETION_GRACE_SECONDS``) still decide. Read the properties below.
    deletion_grace_period: Duration | None = None
    deletion_reminder_before: Duration = timedelta(days=3)
    erasure_ack_period: Duration | None = None
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
        """The grace period before an erasure (zero: erase at once, no cancel link, no reminder):
        ``deletion_grace_period`` when set, else ``deletion_grace_seconds`` when positive, else
        ``deletion_grace_days``."""
        if self.deletion_grace_period is not None:
            return self.deletion_grace_period
        if self.deletion_grace_seconds > 0:
            return timedelta(seconds=self.deletion_grace_seconds)
        return timedelta(days=max(self.deletion_grace_days, 0))

    @property
    def deletion_reminder(self) -> timedelta | None:
        """How long before the end of the grace period the reminder goes out; ``None`` when no
        reminder can be sent (no grace period, or one no longer than the lead time)."""
        lead = self.deletion_reminder_before
        if lead <= timedelta(0) or lead >= self.deletion_grace:
            return None
        return lead

    @property
    def erasure_ack_deadline(self) -> timedelta:
        """How long an erasure waits for connected systems' acknowledgements:
        ``erasure_ack_period`` when set, else ``erasure_ack_deadline_days``."""
        if self.erasure_ack_period is not None:
            return self.erasure_ack_period
        return timedelta(days=max(self.erasure_ack_deadline_days, 0))

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

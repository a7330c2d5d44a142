"""``threshold clients add`` and ``threshold signing-keys rotate``, run as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys

from core.settings import Settings
from tests.support.settings import TEST_SECRET_KEY
from web.oidc.store import ProviderStore


def threshold(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "THRESHOLD_DATABASE_URL": settings.database_url,
        "THRESHOLD_SECRET_KEY": TEST_SECRET_KEY,
        "THRESHOLD_ENVIRONMENT": "test",
    }
    command = [sys.executable, "-m", "ops.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_add_a_confidential_client_then_rotate_keys(db_settings: Settings) -> None:
    added = threshold(
        db_settings,
        "clients",
        "add",
        "Shop",
        "--auth",
        "client_secret_basic",
        "--redirect-uri",
        "https://shop.example/cb",
    )
    assert added.returncode == 0, added.stderr
    lines = dict(line.split("=", 1) for line in added.stdout.split())
    found = ProviderStore(db_settings).client(lines["client_id"])
    assert found is not None and found.check_client_secret(lines["client_secret"])
    assert not found.check_client_secret("guess")
    rotated = threshold(db_settings, "signing-keys", "rotate")
    assert rotated.returncode == 0 and rotated.stdout.startswith("kid="), rotated.stderr


def test_an_unsafe_redirect_uri_is_refused_with_its_reason(db_settings: Settings) -> None:
    refused = threshold(
        db_settings, "clients", "add", "Shop", "--redirect-uri", "http://shop.example/cb"
    )
    assert refused.returncode == 1
    assert "must be https" in refused.stderr


def test_the_temporal_ui_is_registered_as_a_confidential_staff_only_client(
    db_settings: Settings,
) -> None:
    uri = "https://temporal-ui.example/auth/sso/callback"
    public = threshold(db_settings, "clients", "add", "UI", "--staff-only", "--redirect-uri", uri)
    assert public.returncode == 1 and "must authenticate" in public.stderr
    added = threshold(
        db_settings,
        "clients",
        "add",
        "Temporal UI",
        "--staff-only",
        "--auth",
        "client_secret_basic",
        "--redirect-uri",
        uri,
    )
    assert added.returncode == 0, added.stderr
    lines = dict(line.split("=", 1) for line in added.stdout.split())
    found = ProviderStore(db_settings).client(lines["client_id"])
    assert found is not None and found.staff_only
    assert not found.check_grant_type("refresh_token")

"""``docker-compose.yml`` cannot run here (no Docker), so check its shape instead.

Every service has an image or a build, every ``service_healthy`` dependency has a healthcheck,
one-shot jobs are not restarted, every ``THRESHOLD_*`` variable the app is given is a setting it
reads, secrets are required (``${VAR:?…}``), published ports are valid, loopback-bound and unique,
the Temporal UI decodes through the app's codec endpoint with credentials and signs people in with
Threshold's own OpenID provider.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import Settings
from journeys.kit.search import ALL_KEYS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
PORT_RE = re.compile(r"^127\.0\.0\.1:(\d+):(\d+)$")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "use the mapping form for environment"
    return {str(k): str(v) for k, v in env.items()}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_runs_something_and_waits_for_healthy_dependencies(name: str) -> None:
    service = SERVICES[name]
    assert "image" in service or "build" in service
    for dependency, rule in (service.get("depends_on") or {}).items():
        assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
        condition = rule["condition"]
        assert condition in {"service_healthy", "service_completed_successfully"}
        if condition == "service_healthy":
            assert "healthcheck" in SERVICES[dependency], f"{dependency} has no healthcheck"
        else:
            assert SERVICES[dependency].get("restart") == "no", f"{dependency} is a one-shot job"
    if "image" in service:
        assert ":" in service["image"] and not service["image"].endswith(":latest")
        assert "auto-setup" not in service["image"]


def test_the_app_gets_only_settings_it_reads_and_every_secret_is_required() -> None:
    fields = {f"THRESHOLD_{name.upper()}" for name in Settings.model_fields}
    app_services = [s for s in SERVICES.values() if s.get("build")]
    assert {tuple(s["command"][:2]) for s in app_services} >= {
        ("threshold", "migrate"),
        ("threshold", "worker"),
        ("threshold", "web"),
    }
    for service in app_services:
        env = environment(service)
        unknown = {k for k in env if k.startswith("THRESHOLD_")} - fields
        assert not unknown, f"not read by core/settings.py: {sorted(unknown)}"
        assert env["THRESHOLD_ENVIRONMENT"] == "production"
        for secret in ("THRESHOLD_SECRET_KEY", "THRESHOLD_CODEC_KEYS"):
            assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", env[secret]), secret
        assert "${THRESHOLD_DB_PASSWORD:?" in env["THRESHOLD_DATABASE_URL"]


def test_published_ports_are_loopback_valid_and_unique() -> None:
    published = []
    for name, service in SERVICES.items():
        for mapping in service.get("ports", []):
            found = PORT_RE.match(str(mapping))
            assert found, f"{name}: publish on 127.0.0.1 host:container, not {mapping!r}"
            host, container = int(found.group(1)), int(found.group(2))
            assert 0 < host < 65536 and 0 < container < 65536
            published.append(host)
    assert len(published) == len(set(published)) and published


def test_temporal_is_set_up_with_schema_search_attributes_and_the_codec() -> None:
    assert SERVICES["temporal-schema"]["image"].startswith("temporalio/admin-tools:")
    schema = "\n".join(SERVICES["temporal-schema"]["command"])
    assert "setup-schema" in schema and "visibility" in schema
    init = "\n".join(SERVICES["temporal-init"]["command"])
    assert "namespace create" in init
    declared = set(re.findall(r"for name in ([A-Za-z ]+); do", init)[0].split())
    assert declared == {key.name for key in ALL_KEYS}
    ui = environment(SERVICES["temporal-ui"])
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -e ." in dockerfile and "USER threshold" in dockerfile


def test_the_temporal_ui_signs_in_with_thresholds_own_openid_provider() -> None:
    ui = environment(SERVICES["temporal-ui"])
    assert ui["TEMPORAL_AUTH_ENABLED"] == "true" and ui["TEMPORAL_AUTH_TYPE"] == "oidc"
    base = "${THRESHOLD_BASE_URL:?"
    assert ui["TEMPORAL_AUTH_PROVIDER_URL"].startswith(base)
    assert ui["TEMPORAL_AUTH_ISSUER_URL"] == ui["TEMPORAL_AUTH_PROVIDER_URL"]
    for name in ("TEMPORAL_AUTH_CLIENT_ID", "TEMPORAL_AUTH_CLIENT_SECRET"):
        assert re.fullmatch(r"\$\{TEMPORAL_UI_CLIENT_[A-Z]+:\?[^}]+\}", ui[name]), name
    assert ui["TEMPORAL_AUTH_CALLBACK_URL"].endswith("/auth/sso/callback")
    assert set(ui["TEMPORAL_AUTH_SCOPES"].split(",")) <= {"openid", "email", "profile"}
    assert "openid" in ui["TEMPORAL_AUTH_SCOPES"].split(",")
    # The UI discovers the provider at start: the web app must answer first.
    assert SERVICES["temporal-ui"]["depends_on"]["web"]["condition"] == "service_healthy"

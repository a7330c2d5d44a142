"""CLIs refuse to work under another secret than the stack's, and ``--data-dir`` finds the stack's.

The scenario of the finding: a stack runs with ``threshold dev --data-dir DIR``; an operator runs
``threshold webhooks add`` with the stack's database but without its secret. Before the guard,
the secret was sealed with the built-in development key and every delivery failed for days.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from ops.cli import RUNS_THE_STACK, main
from ops.stack import SECRET_FILE
from store.events_models import WebhookSubscription
from store.migrate import prepare
from tests.support.store import rows


@pytest.fixture
def stack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir as `threshold dev --data-dir` leaves it: its secret, a migrated database."""
    for name in ("THRESHOLD_SECRET_KEY", "THRESHOLD_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("THRESHOLD_ENVIRONMENT", "development")
    monkeypatch.chdir(tmp_path)  # no ./.threshold here: nothing to fall back on
    data_dir = tmp_path / "elsewhere"
    data_dir.mkdir()
    (data_dir / SECRET_FILE).write_text("s" * 48 + "\n")
    prepare(_settings(data_dir, "s" * 48))  # schema + the first signing key, under the secret
    return data_dir


def _settings(data_dir: Path, secret: str) -> Settings:
    return Settings(
        environment="development",
        secret_key=secret,
        database_url=f"sqlite:///{data_dir / 'threshold.db'}",
    )


def test_a_cli_with_the_stacks_database_but_another_secret_writes_nothing(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THRESHOLD_DATABASE_URL", f"sqlite:///{stack_dir / 'threshold.db'}")
    with pytest.raises(SystemExit, match="not the secret this deployment's data is sealed with"):
        main(["webhooks", "add", "https://crm.test/hook", "customer.created"])
    assert rows(_settings(stack_dir, "s" * 48), WebhookSubscription) == []


def test_data_dir_uses_the_stacks_secret_and_database(
    stack_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(stack_dir), "webhooks", "add", "https://crm.test/hook",
                 "customer.created"]) == 0  # fmt: skip
    sub_id, _secret = capsys.readouterr().out.strip().split("\t")
    [stored] = rows(_settings(stack_dir, "s" * 48), WebhookSubscription, id=sub_id)
    assert stored.url == "https://crm.test/hook"


@pytest.mark.parametrize(
    "argv", [["lookup", "ann@example.com"], ["webhooks", "list"], ["idps", "list"]]
)
def test_every_command_on_the_stacks_data_is_guarded(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    assert argv[0] not in RUNS_THE_STACK
    monkeypatch.setenv("THRESHOLD_DATABASE_URL", f"sqlite:///{stack_dir / 'threshold.db'}")
    monkeypatch.setenv("THRESHOLD_SECRET_KEY", "another-secret-" + "x" * 40)
    with pytest.raises(SystemExit, match="nothing was written"):
        main(argv)

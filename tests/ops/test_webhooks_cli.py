"""``threshold webhooks add|list|remove`` on SQLite and PostgreSQL: the secret is shown once, stored
encrypted, and bad input is a clear message (exit status), never a traceback."""

from __future__ import annotations

import pytest

from core.settings import Settings
from ops.cli import main
from store.events_models import WebhookSubscription
from tests.support.store import rows


@pytest.fixture
def env(db_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("THRESHOLD_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("THRESHOLD_SECRET_KEY", db_settings.secret_key)
    monkeypatch.setenv("THRESHOLD_ENVIRONMENT", "test")
    return db_settings


def test_add_list_remove(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["webhooks", "add", "https://crm.test/hook", "customer.created", "customer.deleted"])
        == 0
    )
    sub_id, secret = capsys.readouterr().out.strip().split("\t")
    assert secret.startswith("whsec_")
    [stored] = rows(env, WebhookSubscription, id=sub_id)
    assert secret not in stored.secret_box and secret[6:] not in stored.secret_box

    assert main(["webhooks", "list"]) == 0
    listed = capsys.readouterr().out
    assert sub_id in listed and "customer.created customer.deleted" in listed
    assert secret not in listed

    assert main(["webhooks", "remove", sub_id]) == 0
    assert main(["webhooks", "list"]) == 0
    assert capsys.readouterr().out == f"removed {sub_id}\n"  # and the listing is empty
    with pytest.raises(SystemExit, match="no subscription"):
        main(["webhooks", "remove", sub_id])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://x/hook", "customer.created"], "absolute http"),
        (["https://crm.test/hook", "customer.exploded"], "unknown event type"),
    ],
)
def test_bad_input_is_a_message(env: Settings, args: list[str], message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        main(["webhooks", "add", *args])

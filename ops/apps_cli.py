"""``threshold apps add NAME``: give a product application an API key for ``POST /api/events``."""

from __future__ import annotations

import argparse
from typing import Any

from core.settings import load_settings
from store.api_apps import ApiApps


def register(commands: Any) -> None:
    """Add the ``apps`` subcommand to the ``threshold`` parser's subcommands."""
    apps = commands.add_parser("apps", help="manage applications that post business events")
    actions = apps.add_subparsers(dest="apps_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an application and print its key (shown once)")
    add.add_argument("name")
    add.set_defaults(func=_add)


def _add(args: argparse.Namespace) -> int:
    try:
        api_key = ApiApps(load_settings()).add(args.name)
    except ValueError as exc:
        raise SystemExit(f"threshold apps add: {exc}") from None
    print(api_key)  # noqa: T201 - the CLI's output: the key, shown once
    return 0

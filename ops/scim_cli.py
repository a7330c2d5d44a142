"""``threshold scim-clients add|list|revoke``: manage provisioning clients' bearer tokens."""

from __future__ import annotations

import argparse
from typing import Any

from core.settings import load_settings
from store.scim_clients import ClientExists, ScimClients


def register(commands: Any) -> None:
    """Add the ``scim-clients`` subcommand to the ``threshold`` parser's subcommands."""
    scim = commands.add_parser("scim-clients", help="manage SCIM provisioning clients")
    actions = scim.add_subparsers(dest="scim_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a client and print its token (shown once)")
    add.add_argument("name")
    add.set_defaults(func=_add)
    revoke = actions.add_parser("revoke", help="revoke a client's token at once")
    revoke.add_argument("name")
    revoke.set_defaults(func=_revoke)
    actions.add_parser("list", help="list clients (never their tokens)").set_defaults(func=_list)


def _add(args: argparse.Namespace) -> int:
    try:
        token = ScimClients(load_settings()).add(args.name)
    except (ClientExists, ValueError) as exc:
        raise SystemExit(f"threshold scim-clients add: {exc}") from None
    print(token)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    if not ScimClients(load_settings()).revoke(args.name):
        raise SystemExit(f"threshold scim-clients revoke: no active client named {args.name!r}")
    print(f"revoked {args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    for client in ScimClients(load_settings()).list():
        state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
        print(f"{client.name}\t{client.created_at:%Y-%m-%d}\t{state}")
    return 0

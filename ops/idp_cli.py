"""``threshold idps add|list``: the upstream OpenID providers customers can sign in with."""

from __future__ import annotations

import argparse
from typing import Any

from core.settings import load_settings
from store.idps import IdpError, Idps


def register(commands: Any) -> None:
    """Add ``idps`` to the ``threshold`` parser's subcommands."""
    idps = commands.add_parser("idps", help="manage upstream OpenID providers (sign in with …)")
    actions = idps.add_subparsers(dest="idps_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register a provider by its issuer (discovery URL base)")
    add.add_argument("name", help="URL-safe name: the login button links to /login/idp/NAME")
    add.add_argument("--issuer", required=True)
    add.add_argument("--client-id", required=True)
    add.add_argument("--client-secret", required=True)
    add.set_defaults(func=_add)
    actions.add_parser("list", help="print every provider's name").set_defaults(func=_list)


def _add(args: argparse.Namespace) -> int:
    try:
        Idps(load_settings()).add(
            args.name,
            issuer=args.issuer,
            client_id=args.client_id,
            client_secret=args.client_secret,
        )
    except IdpError as exc:
        raise SystemExit(f"threshold idps add: {exc}") from None
    print(f"idp={args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    for name in Idps(load_settings()).names():
        print(name)
    return 0

"""``threshold clients add`` and ``threshold signing-keys rotate``: the OpenID provider's admin."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.settings import load_settings
from store.oidc_clients import AUTH_METHODS, ClientError, OidcClients
from store.signing_keys import KeyRing


def register(commands: Any) -> None:
    """Add ``clients`` and ``signing-keys`` to the ``threshold`` parser's subcommands."""
    clients = commands.add_parser("clients", help="manage OpenID Connect relying parties")
    actions = clients.add_subparsers(dest="clients_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register a client (a secret is printed once)")
    add.add_argument("name")
    add.add_argument("--auth", choices=AUTH_METHODS, default="none", help="token endpoint auth")
    add.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
    add.add_argument("--post-logout-redirect-uri", action="append", default=[], dest="logout_uris")
    add.add_argument("--jwks-file", type=Path, help="public JWKS for private_key_jwt")
    add.add_argument(
        "--staff-only",
        action="store_true",
        help="sign in staff (password + TOTP), never customers: for the Temporal UI",
    )
    add.set_defaults(func=_add)
    keys = commands.add_parser("signing-keys", help="ID-token signing keys")
    key_actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = key_actions.add_parser("rotate", help="sign with a new key; keep old ones published")
    rotate.set_defaults(func=_rotate)


def _add(args: argparse.Namespace) -> int:
    try:
        created = OidcClients(load_settings()).add(
            args.name,
            auth_method=args.auth,
            redirect_uris=args.redirect_uris,
            post_logout_redirect_uris=args.logout_uris,
            jwks=args.jwks_file.read_text() if args.jwks_file else "",
            staff_only=args.staff_only,
        )
    except (ClientError, OSError) as exc:
        raise SystemExit(f"threshold clients add: {exc}") from None
    print(f"client_id={created.client_id}")
    if created.client_secret:
        print(f"client_secret={created.client_secret}")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    print(f"kid={KeyRing(load_settings()).rotate()}")
    return 0

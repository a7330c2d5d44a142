"""``threshold orgs add|list|remove``: B2B organizations, their provider and their email domains."""

from __future__ import annotations

import argparse
from typing import Any

from core.settings import load_settings
from store.organizations import OrganizationError, Organizations


def register(commands: Any) -> None:
    """Add ``orgs`` to the ``threshold`` parser's subcommands."""
    orgs = commands.add_parser(
        "orgs", help="manage organizations: email domains that sign in with their own provider"
    )
    actions = orgs.add_subparsers(dest="orgs_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="an organization whose email domains sign in with an upstream provider"
    )
    add.add_argument("name")
    add.add_argument("--idp", required=True, help="a provider from `threshold idps list`")
    add.add_argument(
        "--domain",
        required=True,
        action="append",
        dest="domains",
        help="an email domain it owns, exactly (subdomains are not included); repeatable",
    )
    add.set_defaults(func=_add)
    actions.add_parser(
        "list", help="print each organization, its provider and domains"
    ).set_defaults(func=_list)
    remove = actions.add_parser("remove", help="delete an organization and its domains")
    remove.add_argument("name")
    remove.set_defaults(func=_remove)


def _add(args: argparse.Namespace) -> int:
    try:
        added = Organizations(load_settings()).add(
            args.name, idp_name=args.idp, domains=args.domains
        )
    except OrganizationError as exc:
        raise SystemExit(f"threshold orgs add: {exc}") from None
    print(f"org={added.name} idp={added.idp_name} domains={','.join(added.domains)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    for org in Organizations(load_settings()).list():
        print(f"{org.name}\t{org.idp_name}\t{','.join(org.domains)}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    if not Organizations(load_settings()).remove(args.name):
        raise SystemExit(f"threshold orgs remove: no organization named {args.name!r}")
    print(f"removed={args.name}")
    return 0

"""``threshold webhooks add|list|remove``: manage webhook subscriptions from the command line.

The secret is printed once, by ``add``, for the operator to give to the receiving system; it is
stored encrypted and never printed again.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.settings import load_settings
from store import webhook_subscriptions as subscriptions


def register(commands: Any) -> None:
    """Add the ``webhooks`` subcommand to the ``threshold`` parser's subcommands."""
    hooks = commands.add_parser("webhooks", help="manage webhook subscriptions")
    actions = hooks.add_subparsers(dest="webhooks_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="subscribe a URL to event types; prints the secret once")
    add.add_argument("url")
    add.add_argument("event_types", nargs="+", metavar="EVENT_TYPE", help="e.g. customer.created")
    add.set_defaults(func=_add)
    remove = actions.add_parser("remove", help="stop sending to a subscription")
    remove.add_argument("subscription_id")
    remove.set_defaults(func=_remove)
    actions.add_parser("list", help="list subscriptions (never secrets)").set_defaults(func=_list)


def _add(args: argparse.Namespace) -> int:
    try:
        created = subscriptions.add(load_settings(), args.url, args.event_types)
    except subscriptions.SubscriptionError as exc:
        raise SystemExit(f"threshold webhooks add: {exc}") from None
    print(f"{created.id}\t{created.secret}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    if not subscriptions.remove(load_settings(), args.subscription_id):
        raise SystemExit(f"threshold webhooks remove: no subscription {args.subscription_id!r}")
    print(f"removed {args.subscription_id}")
    return 0


def _list(args: argparse.Namespace) -> int:
    for sub in subscriptions.listing(load_settings()):
        print(f"{sub.id}\t{sub.url}\t{' '.join(sub.event_types)}\t{sub.created_at:%Y-%m-%d}")
    return 0

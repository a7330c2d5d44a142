"""``threshold staff …`` and ``threshold support …``: the support team's command line.

* ``staff add EMAIL --role support|admin`` prints the initial password once, the ``otpauth://``
  URI and a terminal QR code to scan with an authenticator app (TOTP is mandatory).
* ``staff token EMAIL --days N`` prints a bearer token for the codec endpoint or scripts.
* ``support find EMAIL`` lists the customer's journeys with Temporal UI links.
* ``support replay WORKFLOW_ID`` replays a journey's history against this checkout's code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import segno

from core.settings import load_settings


def register(commands: Any) -> None:
    """Add the ``staff`` and ``support`` subcommands to the ``threshold`` parser."""
    staff = commands.add_parser("staff", help="manage support staff accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    add = staff_commands.add_parser("add", help="create a staff member (password + TOTP)")
    add.add_argument("email")
    add.add_argument("--role", choices=("support", "admin"), required=True)
    add.set_defaults(func=_staff_add)
    token = staff_commands.add_parser("token", help="issue a bearer token for the codec endpoint")
    token.add_argument("email")
    token.add_argument("--days", type=int, default=30)
    token.set_defaults(func=_staff_token)

    support = commands.add_parser("support", help="find, inspect and replay customer journeys")
    support_commands = support.add_subparsers(
        dest="support_command", required=True, metavar="ACTION"
    )
    find = support_commands.add_parser("find", help="list a customer's journeys by email")
    find.add_argument("email")
    find.set_defaults(func=_support_find)
    replay = support_commands.add_parser(
        "replay", help="replay a journey's history against the current code"
    )
    replay.add_argument("workflow_id")
    replay.add_argument("--run-id", default=None)
    replay.set_defaults(func=_support_replay)


def _say(line: str) -> None:
    """One line of command output (stdout, for operators and pipes)."""
    sys.stdout.write(f"{line}\n")


def _staff_add(args: argparse.Namespace) -> int:
    from store.staff import StaffDirectory, StaffError

    try:
        created = StaffDirectory(load_settings()).add(args.email, args.role)
    except (StaffError, ValueError) as err:
        raise SystemExit(f"threshold staff add: {err}") from None
    _say(f"Staff member {created.email} ({created.role}), id {created.staff_id}")
    _say(f"Initial password (shown once): {created.password}")
    _say("Scan this with an authenticator app (TOTP is required to sign in):")
    _say(created.otpauth_uri)
    segno.make(created.otpauth_uri, error="m").terminal(out=sys.stdout, compact=True)
    return 0


def _staff_token(args: argparse.Namespace) -> int:
    from store.staff import StaffDirectory, StaffError

    try:
        token = StaffDirectory(load_settings()).issue_token(args.email, args.days)
    except StaffError as err:
        raise SystemExit(f"threshold staff token: {err}") from None
    _say(token)
    return 0


def _support_find(args: argparse.Namespace) -> int:
    return asyncio.run(_find(args.email))


async def _find(email: str) -> int:
    from web.gateway.support import find_journeys
    from workers.worker import connect

    settings = load_settings()
    client = await connect(settings)
    try:
        found = await find_journeys(client, settings, email)
    except ValueError as err:
        raise SystemExit(f"threshold support find: {err}") from None
    if not found:
        _say("No journeys for this email.")
        return 0
    for j in found:
        _say(f"{j.journey:<16} {j.step:<20} {j.status:<10} {j.execution:<11} {j.age():>8}")
        _say(f"  {j.ui_url}")
    return 0


def _support_replay(args: argparse.Namespace) -> int:
    return asyncio.run(_replay(args.workflow_id, args.run_id))


async def _replay(workflow_id: str, run_id: str | None) -> int:
    from ops.support.replay import replay
    from workers.worker import connect

    client = await connect(load_settings())
    report = await replay(client, workflow_id, run_id=run_id)
    _say(report.describe())
    return 0 if report.ok else 1

"""``threshold risk explain|policy``: why a sign-in was allowed, challenged or refused.

``explain`` takes a login journey id (what support sees in the Temporal UI) or a session (its id
from the cookie, or the id hash the account pages show) and prints every risk decision of that
journey from the audit log, in plain words. ``policy`` prints the thresholds in force.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from typing import Any

from sqlmodel import col, or_, select

from contracts.risk_explain import explain
from core.settings import load_settings
from store.db import session_for
from store.models import AuditEvent, Session
from workers.risk.policy import HISTORY_BUCKETS, RiskPolicy


def register(commands: Any) -> None:
    """Add ``risk`` to the ``threshold`` parser's subcommands."""
    risk = commands.add_parser("risk", help="explain risk decisions, show the risk policy")
    actions = risk.add_subparsers(dest="risk_command", required=True, metavar="ACTION")
    explain = actions.add_parser(
        "explain", help="the risk decisions of a login journey or a session, in plain words"
    )
    explain.add_argument("id", metavar="SESSION_OR_JOURNEY_ID")
    explain.set_defaults(func=_explain)
    actions.add_parser(
        "policy", help="the step-up threshold per history bucket and the deny threshold"
    ).set_defaults(func=_policy)


def _say(line: str) -> None:
    sys.stdout.write(f"{line}\n")


def journey_of(database_url: str, ident: str) -> str | None:
    """The login journey behind ``ident``: itself if it has decisions, else a session's."""
    with session_for(database_url) as db:
        if db.exec(
            select(AuditEvent.id).where(
                AuditEvent.kind == "risk.assessed", AuditEvent.journey_id == ident
            )
        ).first():
            return ident
        digest = hashlib.sha256(ident.encode()).hexdigest()
        row = db.exec(
            select(Session.journey_id).where(
                or_(col(Session.id_hash) == ident, col(Session.id_hash) == digest)
            )
        ).first()
    return row


def decisions(database_url: str, journey_id: str) -> list[tuple[str, dict[str, Any]]]:
    """``(time, detail)`` of every ``risk.assessed`` event of the journey, oldest first."""
    with session_for(database_url) as db:
        events = db.exec(
            select(AuditEvent)
            .where(AuditEvent.kind == "risk.assessed", AuditEvent.journey_id == journey_id)
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
        return [
            (event.at.isoformat(timespec="seconds"), json.loads(event.detail)) for event in events
        ]


def _explain(args: argparse.Namespace) -> int:
    settings = load_settings()
    journey_id = journey_of(settings.database_url, args.id)
    if journey_id is None:
        raise SystemExit(f"threshold risk explain: no risk decision for {args.id!r}")
    found = decisions(settings.database_url, journey_id)
    if not found:
        raise SystemExit(f"threshold risk explain: no risk decision for {args.id!r}")
    _say(f"journey {journey_id}")
    for at, detail in found:
        words = explain(detail)  # the same words support reads on /support
        _say(f"{at}  {detail.get('decision', '?')}  score {detail.get('score')}  {words.verdict}")
        _say(f"  {words.summary}")
        for reason in words.unusual:
            _say(f"  unusual: {reason}")
        for familiar in words.familiar:
            _say(f"  familiar: {familiar}")
    return 0


def _policy(args: argparse.Namespace) -> int:
    policy = RiskPolicy.from_settings(load_settings())
    _say("history  step-up above")
    for name, _, _ in HISTORY_BUCKETS:
        _say(f"{name:<8} {policy.step_up[name]:g}")
    _say(f"deny above {policy.deny_threshold:g} (customers without a second factor)")
    _say(f"new device + new software asks customers with a factor: {policy.new_device_step_up}")
    return 0

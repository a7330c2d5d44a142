"""The ``threshold`` command: one entry point for every process Threshold runs.

Operators and ``make run`` use the same subcommands, so the development stack exercises exactly
the code paths production does (``migrate``, ``worker``, ``web``); ``dev`` only orchestrates them.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
from collections.abc import Sequence
from pathlib import Path

from core.settings import load_settings
from core.telemetry import configure_logging, tracer_provider
from ops.stack import require_stack_key, stack_environment

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def _migrate(args: argparse.Namespace) -> int:
    from store.migrate import prepare

    prepare(load_settings())
    return 0


def _worker(args: argparse.Namespace) -> int:
    from workers.worker import main as worker_main

    # SIGTERM (the dev runner, most process supervisors) takes asyncio's graceful SIGINT path:
    # the worker task is cancelled and the worker shuts down instead of dying mid-poll.
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    settings = load_settings()
    tracer_provider(settings, "threshold-worker")
    with contextlib.suppress(KeyboardInterrupt):  # the normal way to stop
        worker_main(settings)
    return 0


def _web(args: argparse.Namespace) -> int:
    import uvicorn
    from prometheus_client import start_http_server

    settings = load_settings()
    tracer_provider(settings, "threshold-web")
    if settings.metrics_port:  # internal port: Prometheus scrapes it, the public never sees it
        start_http_server(settings.metrics_port)
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        proxy_headers=False,
        log_level="info",
        access_log=False,  # web/access_log.py logs requests without query strings (tokens)
    )
    return 0


def _dev(args: argparse.Namespace) -> int:
    from ops.dev import DevOptions, run

    return run(
        DevOptions(
            web_port=args.web_port,
            temporal_port=args.temporal_port,
            ui_port=args.ui_port,
            data_dir=Path(args.data_dir),
        )
    )


def _lookup(args: argparse.Namespace) -> int:
    from core.security.hashing import email_lookup
    from journeys.kit import normalize_email

    settings = load_settings()
    try:
        normalized = normalize_email(args.email)
    except ValueError as exc:
        raise SystemExit(f"threshold lookup: {exc}") from None
    print(email_lookup(settings.derive_key("email-lookup"), normalized))
    return 0


#: Commands that run the stack itself (they make or serve its keys) rather than work on its data.
RUNS_THE_STACK = frozenset({"migrate", "worker", "web", "dev"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; separate from ``main`` so tests can inspect it."""
    parser = argparse.ArgumentParser(prog="threshold", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        dest="stack_dir",
        default=None,
        help="use the secret and database of `threshold dev --data-dir DIR` (default: environment)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    commands.add_parser("worker", help="run a Temporal worker").set_defaults(func=_worker)

    web = commands.add_parser("web", help="serve the web app with uvicorn")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(func=_web)

    dev = commands.add_parser(
        "dev", help="run Temporal, a worker, the web app and a mail catcher locally"
    )
    dev.add_argument("--web-port", type=int, default=8000)
    dev.add_argument("--temporal-port", type=int, default=7233)
    dev.add_argument("--ui-port", type=int, default=8233)
    dev.add_argument("--data-dir", default=".threshold", help="state kept between runs")
    dev.set_defaults(func=_dev)

    lookup = commands.add_parser(
        "lookup", help="print the EmailLookup search attribute value for an email"
    )
    lookup.add_argument("email")
    lookup.set_defaults(func=_lookup)

    from ops.support.commands import register as register_support

    register_support(commands)

    from ops.scim_cli import register as register_scim

    register_scim(commands)

    from ops.webhooks_cli import register as register_webhooks

    register_webhooks(commands)

    from ops.oidc_cli import register as register_oidc

    register_oidc(commands)

    from ops.idp_cli import register as register_idps

    register_idps(commands)

    from ops.org_cli import register as register_orgs

    register_orgs(commands)

    from ops.apps_cli import register as register_apps

    register_apps(commands)

    from ops.risk_cli import register as register_risk

    register_risk(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``threshold`` console script."""
    args = build_parser().parse_args(argv)
    if args.stack_dir is not None:
        os.environ.update(stack_environment(Path(args.stack_dir), dict(os.environ)))
    settings = load_settings()
    configure_logging(settings, fallback_format=LOG_FORMAT)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin
    if args.command not in RUNS_THE_STACK:
        require_stack_key(settings, args.command)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())

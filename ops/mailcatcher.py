"""A local SMTP server that keeps every message as an ``.eml`` file instead of delivering it.

``threshold dev`` runs it so registration emails can be read at ``/dev/mail`` without an account
anywhere: the web app lists ``THRESHOLD_DEV_MAIL_DIR``. File names start with the UTC arrival time
so a plain sort is arrival order, and each file appears atomically (written aside, then renamed)
so a reader never sees half a message.

Run it as ``python -m ops.mailcatcher --port 1025 --dir .threshold/mail``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiosmtpd.smtp import SMTP

log = logging.getLogger("threshold.mailcatcher")


class MailDirHandler:
    """aiosmtpd handler storing each accepted message in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def store(self, content: bytes) -> Path:
        """Write one message atomically; returns the final path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
        name = f"{stamp}-{uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(content)
        final = self.directory / name
        os.replace(partial, final)
        return final

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd hook: called once per message after the DATA command."""
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        path = self.store(content)
        log.info("stored mail for %s as %s", ", ".join(envelope.rcpt_tos), path.name)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    """Accept SMTP connections until SIGINT or SIGTERM."""
    directory.mkdir(parents=True, exist_ok=True)
    handler = MailDirHandler(directory)
    loop = asyncio.get_running_loop()
    # A fixed hostname: aiosmtpd's default calls getfqdn(), which can stall on a resolver.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="threshold-mailcatcher", enable_SMTPUTF8=True),
        host=host,
        port=port,
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("mail catcher on smtp://%s:%d storing into %s", host, port, directory)
    async with server:
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ops.mailcatcher``."""
    parser = argparse.ArgumentParser(prog="python -m ops.mailcatcher", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, required=True, help="where .eml files go")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    asyncio.run(serve(args.host, args.port, args.dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

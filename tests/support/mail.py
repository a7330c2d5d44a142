"""A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts.

The workers deliver over genuine SMTP to it, so tests exercise the same code path as production;
tests then read the code or link out of the message the way a customer would.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from tests.support.net import free_port

CODE_RE = re.compile(r"code is:\s*(\d{6})\b")
LINK_RE = re.compile(r"https?://\S+/link\?token=[A-Za-z0-9_\-]+")


@dataclass
class Received:
    """One accepted message with its SMTP envelope recipients."""

    recipients: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        recipients = [r.lower() for r in envelope.rcpt_tos]
        with self.lock:
            self.received.append(Received(recipients, message))
        return "250 Message accepted for delivery"


class MailCatcher:
    """An SMTP server on ``127.0.0.1:<free port>``; use ``smtp_url`` in the workers' settings."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port()
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    @property
    def smtp_url(self) -> str:
        """The ``THRESHOLD_SMTP_URL`` that delivers here."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> MailCatcher:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def messages_to(self, to: str) -> list[EmailMessage]:
        """Every message delivered to ``to`` (an envelope recipient), oldest first."""
        address = to.lower()
        with self._handler.lock:
            return [r.message for r in self._handler.received if address in r.recipients]

    async def wait_for(self, to: str, timeout: float = 10, *, count: int = 1) -> EmailMessage:
        """The newest message to ``to`` once at least ``count`` have arrived.

        Raises ``TimeoutError`` when they do not arrive within ``timeout`` seconds (a generous
        bound for a failure to be reported, not a performance assertion).
        """
        async with asyncio.timeout(timeout):
            while True:
                messages = self.messages_to(to)
                if len(messages) >= count:
                    return messages[-1]
                await asyncio.sleep(0.02)


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"no text/plain part in {message['Subject']!r}"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def html_of(message: EmailMessage) -> str:
    """The HTML body of a message."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, f"no text/html part in {message['Subject']!r}"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def code_in(message: EmailMessage) -> str:
    """The 6-digit verification code in a message's text part."""
    found = CODE_RE.search(text_of(message))
    assert found, f"no verification code in {message['Subject']!r}"
    return found.group(1)


def link_in(message: EmailMessage) -> str:
    """The verification link in a message's text part."""
    found = LINK_RE.search(text_of(message))
    assert found, f"no verification link in {message['Subject']!r}"
    return found.group(0)


def token_in(message: EmailMessage) -> str:
    """The token carried by the verification link in a message."""
    return parse_qs(urlsplit(link_in(message)).query)["token"][0]

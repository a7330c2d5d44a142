"""The customers' inboxes: the mail catcher's ``.eml`` files, indexed by recipient.

The catcher (a separate process) writes each accepted message atomically; one reader task scans
the directory and files new messages under their recipients, so every customer can wait for "the
next mail of this kind" without rereading the whole directory.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import email.utils
import re
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

SCAN_EVERY = 0.1
#: A listing even when the directory's mtime did not move (two renames in one clock tick).
FULL_SCAN_EVERY = 2.0
CODE_RE = re.compile(r"code is:\s*(\d{6})\b")
URL_RE = re.compile(r"https?://[^/\s]+(/\S+)")


@dataclass(frozen=True)
class Mail:
    """One message as a customer reads it."""

    subject: str
    text: str

    def code(self) -> str:
        """The 6-digit code the message carries."""
        found = CODE_RE.search(self.text)
        if not found:
            raise ValueError(f"no code in {self.subject!r}")
        return found.group(1)

    def path_containing(self, marker: str) -> str:
        """The path (and query) of the first link containing ``marker``, host removed."""
        for found in URL_RE.finditer(self.text):
            if marker in found.group(1):
                return found.group(1)
        raise ValueError(f"no link with {marker!r} in {self.subject!r}")


class Mailbox:
    """Every message the catcher kept, by recipient, updated by :meth:`run`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.by_recipient: dict[str, list[Mail]] = {}
        self.seen: set[str] = set()
        self.total = 0
        self.changed = 0
        self.scanned = 0.0

    def scan(self) -> None:
        """File the messages that arrived since the last scan (the directory changed)."""
        try:
            changed = self.directory.stat().st_mtime_ns
        except FileNotFoundError:
            return
        now = time.monotonic()
        if changed == self.changed and now - self.scanned < FULL_SCAN_EVERY:
            return
        self.changed, self.scanned = changed, now
        for path in sorted(self.directory.glob("*.eml")):
            if path.name in self.seen:
                continue
            self.seen.add(path.name)
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            part = message.get_body(preferencelist=("plain",))
            text = part.get_content() if part is not None else ""
            mail = Mail(subject=str(message["Subject"] or ""), text=str(text))
            for recipient in message.get_all("To", []):
                address = email.utils.parseaddr(str(recipient))[1].lower()
                self.by_recipient.setdefault(address, []).append(mail)
            self.total += 1

    async def run(self) -> None:
        """Scan until cancelled."""
        while True:
            self.scan()
            await asyncio.sleep(SCAN_EVERY)

    def count(self, to: str, subject: str) -> int:
        """How many messages to ``to`` have a subject starting with ``subject``."""
        return len(self.matching(to, subject))

    def matching(self, to: str, subject: str) -> list[Mail]:
        """The messages to ``to`` whose subject starts with ``subject``, oldest first."""
        return [m for m in self.by_recipient.get(to.lower(), []) if m.subject.startswith(subject)]

    async def next(self, to: str, subject: str, after: int, timeout: float) -> Mail:
        """The first message of that kind beyond the ``after`` already seen; waits for it."""
        async with asyncio.timeout(timeout):
            while True:
                found = self.matching(to, subject)
                if len(found) > after:
                    return found[after]
                await asyncio.sleep(SCAN_EVERY)

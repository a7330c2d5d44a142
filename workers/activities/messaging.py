"""Email: render HTML + text from ``templates/emails/`` and hand it to SMTP.

``THRESHOLD_SMTP_URL`` is ``smtp://host:port`` (plain, the dev catcher), ``smtp+starttls://user:pass@
host:587`` or ``smtps://user:pass@host:465``.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"


class Mailer:
    """Sends one templated message; callers make the sending idempotent."""

    TIMEOUT_SECONDS = 20

    def __init__(self, smtp_url: str, sender: str) -> None:
        self.smtp_url = urlsplit(smtp_url)
        self.sender = sender
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )

    def render(self, template: str, **context: Any) -> EmailMessage:
        """Build the message from ``<template>.subject.txt``, ``.txt`` and ``.html``."""
        message = EmailMessage()
        message["Subject"] = (
            self.env.get_template(f"{template}.subject.txt").render(**context).strip()
        )
        message["From"] = self.sender
        message["To"] = context["to"]
        message["Message-ID"] = make_msgid(domain="threshold.local")
        message.set_content(self.env.get_template(f"{template}.txt").render(**context))
        message.add_alternative(
            self.env.get_template(f"{template}.html").render(**context), subtype="html"
        )
        return message

    def send(self, template: str, **context: Any) -> None:
        """Render and deliver; raises on any SMTP failure so the activity retries."""
        message = self.render(template, **context)
        url = self.smtp_url
        host, port = url.hostname or "127.0.0.1", url.port
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host,
                port or 465,
                timeout=self.TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(host, port or 25, timeout=self.TIMEOUT_SECONDS)
        with client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)

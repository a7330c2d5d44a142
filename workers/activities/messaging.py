"""Email: render one template per message from ``templates/emails/`` and hand it to SMTP.

Each email is one file, ``<name>.jinja``, with four blocks: ``purpose`` (one
:class:`~contracts.emails.EmailPurpose` value), ``subject``, ``text`` and ``html`` (the body; the
Mailer wraps it in ``_html.jinja``). Every send names the purpose it means, and the Mailer refuses
(non-retryable, logged) an unknown template, an unknown purpose, a purpose that is not the one the
template declares, and secrets (``code``, ``link``) other than those the purpose carries: a
mistaken send fails loudly instead of going out as a message that cannot work.

An email sent on several paths whose wording must differ (the sign-in code after a password, after
an upstream provider, or as the only proof before linking one) also declares a ``reasons`` block:
the reasons it words, space-separated. Every send of it names one as ``reason=``, a send of any
other email names none, so a new path cannot silently borrow another path's warning.

``THRESHOLD_SMTP_URL`` is ``smtp://host:port`` (plain, the dev catcher), ``smtp+starttls://user:pass@
host:587`` or ``smtps://user:pass@host:465``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound
from markupsafe import Markup
from temporalio.exceptions import ApplicationError

from contracts.emails import EmailPurpose
from contracts.errors import ErrorCode

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
SUFFIX = ".jinja"
SHELL = "_html.jinja"
BLOCKS = ("purpose", "subject", "text", "html")
#: The optional block listing the reasons (paths) an email words differently.
REASONS = "reasons"
#: Template variables that are secrets: a message gets exactly those its purpose carries.
SECRETS = frozenset({"code", "link"})

log = logging.getLogger(__name__)


class Mailer:
    """Sends one templated message of a declared purpose; callers make the sending idempotent."""

    TIMEOUT_SECONDS = 20

    def __init__(self, smtp_url: str, sender: str, templates: Path = TEMPLATES) -> None:
        self.smtp_url = urlsplit(smtp_url)
        self.sender = sender
        self.templates = templates
        # One file, two compilations: HTML escapes every variable, text and subject escape none.
        self.text_env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=False,
            undefined=StrictUndefined,
            trim_blocks=True,
        )
        self.html_env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
        )

    def names(self) -> list[str]:
        """Every email this Mailer can send (files starting with ``_`` are shared parts)."""
        return sorted(
            p.name.removesuffix(SUFFIX)
            for p in self.templates.glob(f"*{SUFFIX}")
            if not p.name.startswith("_")
        )

    def purpose_of(self, template: str) -> EmailPurpose:
        """The purpose ``template`` declares in its ``purpose`` block; refused if none is valid."""
        declared = self._block(self._template(self.text_env, template), "purpose", {}).strip()
        try:
            return EmailPurpose(declared)
        except ValueError:
            raise refused(
                ErrorCode.EMAIL_PURPOSE, f"email {template!r} declares no known purpose"
            ) from None

    def reasons_of(self, template: str) -> tuple[str, ...]:
        """The reasons ``template`` words differently (empty: it has one wording for all)."""
        compiled = self._template(self.text_env, template)
        if REASONS not in compiled.blocks:
            return ()
        return tuple(self._block(compiled, REASONS, {}).split())

    def check(self, template: str, purpose: EmailPurpose) -> EmailPurpose:
        """Refuse ``template`` unless it exists and declares ``purpose``; the purpose, typed."""
        meant = _purpose(template, purpose)
        declared = self.purpose_of(template)
        if meant is not declared:
            raise refused(
                ErrorCode.EMAIL_PURPOSE,
                f"email {template!r} is a {declared.value} email, not {meant.value}",
            )
        return meant

    def render(self, template: str, *, purpose: EmailPurpose, **context: Any) -> EmailMessage:
        """Build the message after checking ``purpose`` against the template and the secrets."""
        meant = self.check(template, purpose)
        carried = SECRETS & context.keys()
        if carried != meant.carries:
            raise refused(
                ErrorCode.EMAIL_PURPOSE,
                f"a {meant.value} email {template!r} carries {sorted(meant.carries)}, "
                f"not {sorted(carried)}",
            )
        reasons = self.reasons_of(template)
        reason = context.get("reason")
        if (reason is None and reasons) or (reason is not None and reason not in reasons):
            raise refused(
                ErrorCode.EMAIL_PURPOSE,
                f"email {template!r} is worded for reasons {list(reasons)}, not {reason!r}",
            )
        text = self._template(self.text_env, template)
        html = self._template(self.html_env, template)
        subject = " ".join(self._block(text, "subject", context).split())
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = context["to"]
        message["Message-ID"] = make_msgid(domain="threshold.local")
        message.set_content(self._block(text, "text", context).strip() + "\n")
        body = Markup(self._block(html, "html", context).strip())
        shell = self.html_env.get_template(SHELL)
        message.add_alternative(shell.render(subject=subject, body=body), subtype="html")
        return message

    def send(self, template: str, *, purpose: EmailPurpose, **context: Any) -> None:
        """Render and deliver; refuses a wrong send for good, raises on SMTP failure to retry."""
        message = self.render(template, purpose=purpose, **context)
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

    @staticmethod
    def _template(env: Environment, name: str) -> Template:
        if name.startswith("_") or "/" in name or "\\" in name:
            raise refused(ErrorCode.UNKNOWN_EMAIL, f"{name!r} is not an email's name")
        try:
            template = env.get_template(f"{name}{SUFFIX}")
        except TemplateNotFound:
            raise refused(ErrorCode.UNKNOWN_EMAIL, f"there is no email {name!r}") from None
        missing = [b for b in BLOCKS if b not in template.blocks]
        if missing:
            raise refused(ErrorCode.UNKNOWN_EMAIL, f"email {name!r} lacks blocks {missing}")
        return template

    @staticmethod
    def _block(template: Template, block: str, context: dict[str, Any]) -> str:
        return "".join(template.blocks[block](template.new_context(context)))


def _purpose(template: str, purpose: str) -> EmailPurpose:
    """``purpose`` as an :class:`EmailPurpose`; a caller may have passed a bare string."""
    try:
        return EmailPurpose(purpose)
    except ValueError:
        raise refused(
            ErrorCode.EMAIL_PURPOSE, f"{purpose!r} is not an email purpose (sending {template!r})"
        ) from None


def refused(code: ErrorCode, message: str) -> ApplicationError:
    """A send that can never succeed: logged, and not retried."""
    log.error("email refused (%s): %s", code.value, message)
    return ApplicationError(message, type=code.value, non_retryable=True)

"""``/dev/mail``: the local mail catcher's inbox, in development only.

The dev runner's catcher writes each message as an ``.eml`` file into ``THRESHOLD_DEV_MAIL_DIR``;
this page lists them newest first so a developer can click the verification link.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.services import Svc

router = APIRouter()

MAX_MESSAGES = 50


@router.get("/dev/mail")
async def inbox(request: Request, svc: Svc) -> Response:
    """Show the newest messages with their text bodies."""
    folder = svc.settings.dev_mail_dir
    if svc.settings.environment != "development" or not folder:
        return svc.pages.error(request, 404, "Page not found", "The dev inbox is off here.")
    return svc.pages.page(request, "dev/mail.html", {"messages": read_messages(Path(folder))})


def read_messages(folder: Path) -> list[dict[str, str]]:
    """The newest :data:`MAX_MESSAGES` messages as subject/to/date/text."""
    files = sorted(folder.glob("*.eml"), reverse=True)[:MAX_MESSAGES]
    messages = []
    for path in files:
        parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        messages.append(
            {
                "id": path.stem,
                "subject": str(parsed["subject"] or ""),
                "to": str(parsed["to"] or ""),
                "date": str(parsed["date"] or path.stem[:15]),
                "text": body.get_content() if body is not None else "",
            }
        )
    return messages

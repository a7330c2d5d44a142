"""Email rendering: every one-file template renders strictly with the purpose it declares, and a
send the templates do not declare (unknown email, unknown or other purpose, other secrets) fails
for good, loudly, before anything reaches SMTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError
from temporalio.exceptions import ApplicationError

from contracts.emails import EmailPurpose
from contracts.errors import ErrorCode
from tests.support.mail import MailCatcher, html_of, text_of
from workers.activities.messaging import TEMPLATES, Mailer

SECRETS: dict[str, str] = {
    "code": "042917",
    "link": "http://threshold.test/j/registration/r-1/link?token=abc&x=<y>",
}
#: Every non-secret variable some email uses (a new email adds its own here); each email gets only
#: the secrets of its purpose.
CONTEXT: dict[str, Any] = {
    "to": "ann@example.com",
    "base_url": "http://threshold.test",
    "minutes": 10,
    "hours": 24,
    "days": 7,
    "date": "02 January 2027",
    "method": "password",
    "secure_link": "http://threshold.test/recover",
    "journey": "registration",
    "what": "sent you a new code",
}
EMAILS = sorted(p.name.removesuffix(".jinja") for p in TEMPLATES.glob("[!_]*.jinja"))


@pytest.fixture
def mailer() -> Mailer:
    return Mailer("smtp://127.0.0.1:1", "Threshold <no-reply@threshold.test>")


def context_for(purpose: EmailPurpose) -> dict[str, Any]:
    return {**CONTEXT, **{name: SECRETS[name] for name in purpose.carries}}


def reason_for(mailer: Mailer, template: str) -> dict[str, str]:
    """A reason the email words, when it words several (test_email_reasons checks each)."""
    reasons = mailer.reasons_of(template)
    return {"reason": reasons[0]} if reasons else {}


def test_every_email_is_one_file(mailer: Mailer) -> None:
    leftovers = [p.name for p in TEMPLATES.iterdir() if p.suffix != ".jinja"]

    assert leftovers == []
    assert mailer.names() == EMAILS and len(EMAILS) >= 12


@pytest.mark.parametrize("template", EMAILS)
def test_every_email_renders_strictly_with_its_declared_purpose(
    mailer: Mailer, template: str
) -> None:
    purpose = mailer.purpose_of(template)

    message = mailer.render(
        template, purpose=purpose, **context_for(purpose), **reason_for(mailer, template)
    )

    subject, text, html = str(message["Subject"]), text_of(message), html_of(message)
    assert message["To"] == "ann@example.com"
    assert subject and "\n" not in subject and "{" not in subject
    assert text.startswith("Hello,") and text.rstrip().endswith("-- Threshold")
    assert html.lstrip().startswith("<!doctype html>") and "— Threshold" in html
    assert "{{" not in text + html and "{%" not in text + html
    if "code" in purpose.carries:
        assert SECRETS["code"] in text and SECRETS["code"] in html
    if "link" in purpose.carries:
        assert SECRETS["link"] in text  # plain text is never escaped
        assert "token=abc&amp;x=&lt;y&gt;" in html and "<y>" not in html
    for body in (text, html):
        assert "token=" not in body or "link" in purpose.carries


@pytest.mark.parametrize("template", ["already_registered", "recovery_unknown"])
def test_decoys_are_declared_and_carry_nothing(mailer: Mailer, template: str) -> None:
    assert mailer.purpose_of(template) is EmailPurpose.DECOY

    with pytest.raises(ApplicationError) as refused:
        mailer.render(template, purpose=EmailPurpose.DECOY, **CONTEXT, code="042917")

    assert refused.value.type == ErrorCode.EMAIL_PURPOSE


def test_the_declared_purposes_are_the_ones_senders_name(mailer: Mailer) -> None:
    declared = {name: mailer.purpose_of(name).value for name in mailer.names()}

    assert (
        declared.items()
        >= {
            "already_registered": "decoy",
            "data_export": "link",
            "deletion_done": "notice",
            "deletion_reminder": "link",
            "deletion_scheduled": "link",
            "invitation": "link",
            "login_code": "code",
            "password_changed": "notice",
            "recovery": "code_and_link",
            "recovery_unknown": "decoy",
            "support_action": "notice",
            "verify_email": "code_and_link",
        }.items()
    )


@pytest.mark.parametrize("template", ["verify_email", "already_registered"])
def test_templates_refuse_missing_variables(mailer: Mailer, template: str) -> None:
    purpose = mailer.purpose_of(template)
    secrets = {name: SECRETS[name] for name in purpose.carries}

    with pytest.raises(UndefinedError):
        mailer.render(template, purpose=purpose, to="ann@example.com", **secrets)


@pytest.mark.parametrize(
    ("template", "purpose", "secrets", "error"),
    [
        ("no_such_email", EmailPurpose.NOTICE, {}, ErrorCode.UNKNOWN_EMAIL),
        ("_html", EmailPurpose.NOTICE, {}, ErrorCode.UNKNOWN_EMAIL),
        ("../base", EmailPurpose.NOTICE, {}, ErrorCode.UNKNOWN_EMAIL),
        ("verify_email", "urgent", SECRETS, ErrorCode.EMAIL_PURPOSE),
        ("verify_email", EmailPurpose.CODE, {"code": "042917"}, ErrorCode.EMAIL_PURPOSE),
        ("login_code", EmailPurpose.CODE, SECRETS, ErrorCode.EMAIL_PURPOSE),
        ("invitation", EmailPurpose.LINK, {}, ErrorCode.EMAIL_PURPOSE),
        ("support_action", EmailPurpose.NOTICE, {"link": "x"}, ErrorCode.EMAIL_PURPOSE),
    ],
)
async def test_an_undeclared_send_fails_for_good_and_sends_nothing(
    smtp_server: MailCatcher,
    caplog: pytest.LogCaptureFixture,
    template: str,
    purpose: EmailPurpose,
    secrets: dict[str, str],
    error: ErrorCode,
) -> None:
    mailer = Mailer(smtp_server.smtp_url, "Threshold <no-reply@threshold.test>")

    with pytest.raises(ApplicationError) as refused:
        mailer.send(template, purpose=purpose, **{**CONTEXT, **secrets})

    assert refused.value.type == error and refused.value.non_retryable
    assert [r for r in caplog.records if r.levelname == "ERROR" and error in r.getMessage()]
    assert smtp_server.messages_to(str(CONTEXT["to"])) == []


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            "{% block purpose %}urgent{% endblock %}{% block subject %}s{% endblock %}"
            "{% block text %}t{% endblock %}{% block html %}h{% endblock %}",
            ErrorCode.EMAIL_PURPOSE,
        ),
        (
            "{% block purpose %}notice{% endblock %}{% block subject %}s{% endblock %}",
            ErrorCode.UNKNOWN_EMAIL,
        ),
    ],
)
def test_a_template_declaring_no_known_purpose_or_lacking_a_block_is_refused(
    tmp_path: Path, source: str, error: ErrorCode
) -> None:
    (tmp_path / "odd.jinja").write_text(source)
    mailer = Mailer("smtp://127.0.0.1:1", "x@threshold.test", templates=tmp_path)

    with pytest.raises(ApplicationError) as refused:
        mailer.render("odd", purpose=EmailPurpose.NOTICE, to="ann@example.com")

    assert refused.value.type == error

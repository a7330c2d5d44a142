"""Email wording per path: every email sent on several paths words each one for what the sender
proved, and the cases are generated from what the templates declare (each path × email), so a new
reason without its wording here, or a path that lost its own, fails.
"""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from contracts.errors import ErrorCode
from contracts.factors import LoginCodeReason
from journeys.login.decision import code_reason
from tests.support.mail import html_of, text_of
from tests.workers.activities.test_messaging import EMAILS, context_for
from workers.activities.messaging import Mailer

MAILER = Mailer("smtp://127.0.0.1:1", "Threshold <no-reply@threshold.test>")

#: Per (email, reason): phrases its subject and bodies must say, and phrases they must not.
WORDING: dict[tuple[str, str], tuple[list[str], list[str]]] = {
    ("login_code", "after_password"): (["someone knows your password", "change it"], []),
    ("login_code", "after_provider"): (
        ["another provider's account that is linked to yours", "/account/linked-accounts"],
        ["password"],
    ),
    ("login_code", "link_provider"): (
        ["asked for this code to link that sign-in", "without it nothing is linked"],
        ["password", "If you are not signing in"],
    ),
    ("login_code", "sign_in"): (["do not share this code"], ["password"]),
    ("data_export", "password"): (["change your password"], ["sign-in methods"]),
    ("data_export", "no_password"): (["sign-in methods", "/account/security"], ["password"]),
    ("deletion_scheduled", "customer"): (
        ["As you asked", "Changed your mind?"],
        ["administrators"],
    ),
    ("deletion_scheduled", "operator"): (
        ["Our administrators scheduled your Threshold account for deletion"],
        ["As you asked", "Changed your mind?"],
    ),
    ("recovery", "password"): (["reset the password of your Threshold account"], ["passkey"]),
    ("recovery", "passkey"): (
        ["recover your Threshold account, which signs in with a passkey"],
        ["password"],
    ),
}
CASES = [(email, reason) for email in EMAILS for reason in MAILER.reasons_of(email)]


def test_every_path_of_every_email_has_its_wording_checked() -> None:
    assert sorted(WORDING) == sorted(CASES)


def test_the_login_code_words_every_reason_a_journey_can_name() -> None:
    assert set(MAILER.reasons_of("login_code")) == {reason.value for reason in LoginCodeReason}


@pytest.mark.parametrize(("email", "reason"), CASES)
def test_each_path_gets_its_own_wording(email: str, reason: str) -> None:
    purpose = MAILER.purpose_of(email)

    message = MAILER.render(email, purpose=purpose, **context_for(purpose), reason=reason)

    must, must_not = WORDING[(email, reason)]
    for part in (text_of(message), html_of(message)):
        said = " ".join(f"{message['Subject']} {part}".replace("&#39;", "'").split())
        assert all(phrase in said for phrase in must), (email, reason, said)
        assert not any(phrase in said for phrase in must_not), (email, reason, said)


@pytest.mark.parametrize("email", EMAILS)
def test_a_send_names_a_reason_exactly_when_the_email_words_several(email: str) -> None:
    purpose = MAILER.purpose_of(email)
    reasons = MAILER.reasons_of(email)
    wrong = [{"reason": "no-such-path"}, {} if reasons else {"reason": "sign_in"}]

    for extra in wrong:
        with pytest.raises(ApplicationError) as refused:
            MAILER.render(email, purpose=purpose, **context_for(purpose), **extra)
        assert refused.value.type == ErrorCode.EMAIL_PURPOSE and refused.value.non_retryable


@pytest.mark.parametrize(
    ("amr", "reason"),
    [
        (["pwd"], LoginCodeReason.AFTER_PASSWORD),
        (["fed"], LoginCodeReason.AFTER_PROVIDER),
        (["swk", "user"], LoginCodeReason.SIGN_IN),
        (["email"], LoginCodeReason.SIGN_IN),
    ],
)
def test_a_step_up_code_is_worded_for_the_first_factor(
    amr: list[str], reason: LoginCodeReason
) -> None:
    assert code_reason(amr) is reason

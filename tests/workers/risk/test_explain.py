"""Plain words: a summary always says which side won; metric labels stay a short, fixed set."""

from __future__ import annotations

import pytest

from contracts.risk_explain import (
    REASON_KINDS,
    account_failures,
    explain,
    ip_failures,
    metric_reasons,
    reason_kind,
    reason_words,
    summary,
)
from workers.risk.model import FreemanModel

FAILURES = "16 failed sign-in steps for this account in the last hour, 16 in the last day"


def test_an_allowed_sign_in_with_failures_says_what_outweighed_them() -> None:
    text = summary(
        "allow",
        score=-9.0,
        threshold=-4.5,
        history=12,
        reasons=[FAILURES],
        familiar=["recognised device", "usual network"],
    )
    assert text == (
        f"Allowed without a second step: recognised device and usual network outweigh {FAILURES} "
        "(score -9.0, a second step above -4.5 with 12 past sign-ins)."
    )


@pytest.mark.parametrize(
    ("decision", "reasons", "familiar", "start"),
    [
        ("allow", [], [], "Allowed without a second step: nothing unusual"),
        ("allow", [], ["usual browser"], "Allowed without a second step: usual browser, nothing"),
        ("allow", ["new country: FR"], [], "Allowed without a second step: only new country: FR"),
        ("step_up", ["new country: FR"], ["usual browser"], "Second step asked: new country: FR, "),
        ("deny", [], [], "Refused: nothing stood out"),
    ],
)
def test_every_decision_reads_as_one_sentence(
    decision: str, reasons: list[str], familiar: list[str], start: str
) -> None:
    text = summary(decision, score=1.0, threshold=0, history=1, reasons=reasons, familiar=familiar)
    assert text.startswith(start)
    assert text.endswith("(score 1.0, a second step above 0 with 1 past sign-in).")


def test_every_reason_the_model_writes_has_a_metric_label() -> None:
    labels = dict(FreemanModel.LABELS)
    for feature, label in labels.items():
        assert reason_kind(label) != "other", feature
    assert reason_kind(FAILURES) == "failures_account"
    assert (
        reason_kind("failed sign-ins for 3 other accounts from this IP address in the last hour")
        == "failures_ip"
    )
    assert reason_kind("impossible travel: FR → JP in 2.0 h (~9889 km)") == "impossible_travel"
    assert reason_kind("something else entirely") == "other"


def test_metric_labels_are_distinct_and_none_when_nothing_is_unusual() -> None:
    assert metric_reasons([]) == ["none"]
    assert metric_reasons(["new subnet: 1.2.3.0/24", "new IP address", "new country: FR"]) == [
        "new_network",
        "new_country",
    ]
    assert len({kind for _, kind in REASON_KINDS}) <= 12  # bounded label cardinality


def test_each_reason_says_whose_it_is_and_whether_it_counted() -> None:
    mine = account_failures(16, 16)
    others = ip_failures(16, 20)
    assert mine == FAILURES
    allowed = reason_words(others, "allow")
    assert allowed.startswith("Not this customer's failures: 16 other accounts failed")
    assert allowed.endswith("here they were not enough for a second step.")
    assert reason_words(others, "step_up").endswith("they counted toward the second step.")
    assert "own account: 16 in the last hour" in reason_words(mine, "allow")
    assert reason_words("new country: FR", "allow") == (
        "New country: FR: unusual, but not enough for a second step."
    )
    assert reason_words("new country: FR", "step_up") == "New country: FR."


def test_an_audit_detail_is_explained_even_without_a_summary() -> None:
    detail = {"decision": "allow", "score": -9.0, "threshold": -4.5, "history": 12}
    words = explain({**detail, "reasons": [FAILURES], "familiar": ["recognised device"]})
    assert words.verdict == "Allowed without a second step"
    assert words.summary.startswith("Allowed without a second step: recognised device outweigh")
    assert words.unusual == [reason_words(FAILURES, "allow")]
    stored = explain({"decision": "deny", "summary": "Refused: as written."})
    assert stored.summary == "Refused: as written." and stored.verdict == "Refused"
    assert explain({"decision": "step_up"}).summary == "Second step asked (score ?)."

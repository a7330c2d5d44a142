"""The printed table: per journey kind, outcomes and time to complete, with and without faults."""

from __future__ import annotations

import math
from collections.abc import Sequence

from chaoslib.checks import Findings, Verdict
from chaoslib.customer import JourneyRecord
from chaoslib.faults import Impairment

KINDS = ("registration", "login", "recovery", "consent", "export", "deletion")
#: A fault impairs journeys a little beyond the restart (reconnects, task timeouts).
SETTLE_SECONDS = 5.0


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def faulted(record: JourneyRecord, impairments: Sequence[Impairment]) -> bool:
    """Whether a fault overlapped the journey (from its first request to its outcome)."""
    return any(
        i.began <= record.ended and record.started <= (i.ended or i.began) + SETTLE_SECONDS
        for i in impairments
    )


def _seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def table(verdicts: Sequence[Verdict], impairments: Sequence[Impairment]) -> str:
    """One row per journey kind, then a total row."""
    header = (
        f"{'journey':<13}{'n':>5}{'done':>6}{'retried':>8}{'lost':>6}{'dup':>5}{'step-up':>8}"
        f"{'p50 calm':>10}{'p99 calm':>10}{'p50 fault':>11}{'p99 fault':>11}{'n fault':>9}"
    )
    lines = [header, "-" * len(header)]
    for kind in (*KINDS, "all"):
        mine = [v for v in verdicts if kind in ("all", v.record.kind)]
        if not mine:
            continue
        done = [v.record for v in mine if v.record.completed]
        hit = [r.seconds for r in done if faulted(r, impairments)]
        calm = [r.seconds for r in done if not faulted(r, impairments)]
        lines.append(
            f"{kind:<13}{len(mine):>5}{len(done):>6}"
            f"{sum(1 for v in mine if v.record.retries):>8}"
            f"{sum(1 for v in mine if v.lost):>6}{sum(1 for v in mine if v.duplicated):>5}"
            f"{sum(1 for v in mine if v.record.step_up):>8}"
            f"{_seconds(percentile(calm, 50)):>10}{_seconds(percentile(calm, 99)):>10}"
            f"{_seconds(percentile(hit, 50)):>11}{_seconds(percentile(hit, 99)):>11}"
            f"{len(hit):>9}"
        )
    return "\n".join(lines)


def faults_text(seed: int, impairments: Sequence[Impairment]) -> str:
    """The executed fault schedule: when, what, for how long."""
    lines = [f"fault schedule (seed {seed}):"]
    for i in impairments:
        note = f" ({i.note})" if i.note else ""
        lines.append(
            f"  t={i.began:6.1f}s  {i.fault.describe()}{note}, back after {i.ended - i.began:.1f}s"
        )
    return "\n".join(lines)


def problems_text(findings: Findings) -> str:
    """Every lost or duplicated journey by id, stuck and failed workflows, leaks."""
    lines: list[str] = []
    for v in findings.verdicts:
        if v.lost or v.duplicated:
            ids = ",".join(v.record.journey_ids) or "-"
            what = f"LOST {v.lost}" if v.lost else f"DUPLICATED {v.duplicated}"
            lines.append(f"  {v.record.kind} {v.record.email} [{ids}]: {what}")
    lines += [f"  still running: {r}" for r in findings.running]
    lines += [f"  failed by a fault: {f}" for f in findings.failed]
    lines += [f"  webhook never delivered: {e}" for e in findings.undelivered[:20]]
    lines += [f"  webhook id not in the outbox: {e}" for e in findings.unknown_deliveries[:20]]
    lines += [f"  secret in clear: {s}" for s in findings.secrets_found]
    lines += [f"  (mail sent more than once: {m})" for m in findings.duplicate_mails[:20]]
    return "\n".join(lines) if lines else "  none"


def summary(findings: Findings) -> str:
    """The lines the smoke test reads, and a human reads first."""
    statuses = ", ".join(f"{k.lower()} {n}" for k, n in sorted(findings.statuses.items()))
    return "\n".join(
        [
            f"workflows: {statuses}",
            f"  running on purpose: {findings.waiting_on_purpose} journeys waiting (walked away "
            "from, or an export keeping its file for the link), "
            f"{findings.long_lived} long-lived per-customer workflows; "
            f"unexpectedly running: {len(findings.running)}",
            f"webhooks: {findings.events} events, {len(findings.undelivered)} undelivered, "
            f"{len(findings.unknown_deliveries)} unknown ids",
            f"secrets scan: {findings.histories_scanned} history texts, "
            f"{len(findings.secrets_found)} secrets found",
            f"RESULT lost={findings.lost} duplicated={findings.duplicated} "
            f"running={len(findings.running)} failed={len(findings.failed)} "
            f"leaks={len(findings.secrets_found)} -> {'OK' if findings.clean else 'PROBLEMS'}",
        ]
    )

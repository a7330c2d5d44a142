"""The end checks: from the database and Temporal, did every intended outcome happen exactly once?

Each journey a customer walked gets a verdict: ``lost`` (the customer gave up, or the database
lacks the outcome), ``duplicated`` (the database holds it more often than the customer asked) or
fine. The journeys still Running or failed in Temporal, the webhook deliveries and the secrets
scan are reported beside the verdicts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session as Db
from sqlmodel import col, func, select
from temporalio.client import Client, WorkflowExecutionStatus

from chaoslib.customer import CONSENT_PURPOSE, SUBJECTS, Customer, JourneyRecord
from core.security.passwords import verify_password
from core.settings import Settings
from journeys.kit.search import JOURNEY_STEP
from store.db import engine_for
from store.deprovisioning_models import ErasureTombstone
from store.events_models import OutboxEvent
from store.export_models import DataExport
from store.models import ConsentRecord, Credential, Session
from store.models import Customer as CustomerRow
from tests.support.secrets import history_texts, occurs, table_texts

#: Workflows that wait for months by design (one per customer), not a stuck journey.
LONG_LIVED_TYPES = frozenset({"profile"})
#: Journeys that wait on purpose at one step: an export keeps its file until the link expires.
WAITING_STEPS = {"export": "download-ready"}
ERASED = "erased"


@dataclass
class Verdict:
    """The verdict on one journey record."""

    record: JourneyRecord
    lost: str = ""
    duplicated: str = ""


@dataclass
class Findings:
    """Everything the checks found, for the report."""

    verdicts: list[Verdict] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    #: Journeys a customer walked away from, and exports keeping their file for the link.
    waiting_on_purpose: int = 0
    long_lived: int = 0
    failed: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    events: int = 0
    undelivered: list[str] = field(default_factory=list)
    unknown_deliveries: list[str] = field(default_factory=list)
    secrets_found: list[str] = field(default_factory=list)
    histories_scanned: int = 0
    duplicate_mails: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Journeys whose outcome is missing."""
        return sum(1 for v in self.verdicts if v.lost)

    @property
    def duplicated(self) -> int:
        """Journeys whose outcome happened more often than asked."""
        return sum(1 for v in self.verdicts if v.duplicated)

    @property
    def clean(self) -> bool:
        """Nothing lost, duplicated, stuck, undelivered or leaked."""
        return not (
            self.lost
            or self.duplicated
            or self.running
            or self.undelivered
            or self.unknown_deliveries
            or self.secrets_found
        )


def check_outcomes(settings: Settings, customers: list[Customer], findings: Findings) -> None:
    """One verdict per journey record, from the database; mails a customer got twice."""
    with Db(engine_for(settings.database_url)) as db:
        for customer in customers:
            findings.verdicts.extend(_customer_verdicts(db, customer))
            asked = {
                "deleted": sum(1 for r in customer.records if r.kind == "deletion"),
                "export": sum(r.submissions for r in customer.records if r.kind == "export"),
            }
            for kind, wanted in asked.items():
                got = customer.mailbox.count(customer.email, SUBJECTS[kind])
                if got > wanted:
                    findings.duplicate_mails.append(f"{customer.email}: {got} {kind} mails")


def _customer_verdicts(db: Db, customer: Customer) -> list[Verdict]:
    verdicts = [Verdict(r) for r in customer.records]
    for verdict in verdicts:
        if not verdict.record.completed:
            verdict.lost = f"customer gave up: {verdict.record.error}"
    row = _customer_row(db, customer)
    registered = [v for v in verdicts if v.record.kind == "registration"]
    if row is None:
        for verdict in registered:
            if verdict.record.completed:
                verdict.lost = "no customer row"
        return verdicts
    erased = row.status == ERASED
    for verdict in verdicts:
        if verdict.record.completed:
            _check(db, verdict, row, customer, erased)
    _check_repeated(db, verdicts, row, erased)
    return verdicts


def _customer_row(db: Db, customer: Customer) -> CustomerRow | None:
    found = db.exec(select(CustomerRow).where(CustomerRow.email == customer.email)).first()
    if found is None and customer.registration_ids:
        found = db.exec(
            select(CustomerRow).where(
                col(CustomerRow.created_by_journey).in_(customer.registration_ids)
            )
        ).first()
    return found


def _count(db: Db, model: Any, *where: Any) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(*where)).one())


def _check(db: Db, verdict: Verdict, row: CustomerRow, customer: Customer, erased: bool) -> None:
    record = verdict.record
    if record.kind == "registration":
        created = _count(
            db,
            OutboxEvent,
            OutboxEvent.customer_id == row.id,
            OutboxEvent.type == "customer.created",
        )
        terms = _count(
            db,
            ConsentRecord,
            ConsentRecord.customer_id == row.id,
            ConsentRecord.channel == "registration",
            ConsentRecord.purpose == "terms",
        )
        if created != 1 or terms != 1:
            target = "duplicated" if max(created, terms) > 1 else "lost"
            setattr(verdict, target, f"customer.created x{created}, terms consent x{terms}")
        if not erased:
            passwords = _count(db, Credential, Credential.customer_id == row.id)
            if passwords != 1:
                verdict.duplicated = f"{passwords} credentials"
            if record.journey_ids[-1] not in customer.abandoned:
                _one_session(db, verdict)
    elif record.kind == "login" and not erased:
        _one_session(db, verdict)
    elif record.kind == "recovery" and not erased:
        stored = db.exec(select(Credential).where(Credential.customer_id == row.id)).all()
        if len(stored) != 1 or not verify_password(stored[0].secret_hash, customer.password):
            verdict.lost = f"{len(stored)} credentials; the new password does not verify"
    elif record.kind == "deletion":
        tombstones = _count(db, ErasureTombstone, ErasureTombstone.customer_id == row.id)
        deleted = _count(
            db,
            OutboxEvent,
            OutboxEvent.customer_id == row.id,
            OutboxEvent.type == "customer.deleted",
        )
        if not erased or tombstones != 1 or deleted != 1:
            target = "duplicated" if deleted > 1 else "lost"
            setattr(
                verdict, target, f"status {row.status}, tombstones {tombstones}, deleted x{deleted}"
            )


def _one_session(db: Db, verdict: Verdict) -> None:
    """The journey that signed the customer in issued exactly one session."""
    journey_id = verdict.record.journey_ids[-1]
    sessions = _count(db, Session, Session.journey_id == journey_id)
    if sessions != 1:
        target = "duplicated" if sessions > 1 else "lost"
        setattr(verdict, target, f"{sessions} sessions for {journey_id}")


def _check_repeated(db: Db, verdicts: list[Verdict], row: CustomerRow, erased: bool) -> None:
    """Consent changes and exports: as many rows as completed journeys, no more than sent."""
    consents = db.exec(
        select(ConsentRecord).where(
            ConsentRecord.customer_id == row.id,
            ConsentRecord.channel == "account",
            ConsentRecord.purpose == CONSENT_PURPOSE,
        )
    ).all()
    _compare(verdicts, "consent", len(consents), "consent records")
    for record in consents:
        event = db.get(OutboxEvent, f"{record.journey_id}:consent.changed")
        if event is None:
            for verdict in verdicts:
                if verdict.record.kind == "consent":
                    verdict.lost = verdict.lost or f"no consent.changed for {record.journey_id}"
    if not erased:
        exports = _count(db, DataExport, DataExport.customer_id == row.id)
        _compare(verdicts, "export", exports, "exports")


def _compare(verdicts: list[Verdict], kind: str, rows: int, what: str) -> None:
    mine = [v for v in verdicts if v.record.kind == kind]
    if not mine:
        return
    completed = sum(1 for v in mine if v.record.completed)
    sent = sum(v.record.submissions for v in mine)
    if rows > sent:
        mine[-1].duplicated = f"{rows} {what} for {sent} submissions"
    elif rows < completed:
        mine[-1].lost = mine[-1].lost or f"{rows} {what} for {completed} completed"


async def check_workflows(client: Client, task_queue: str, abandoned: set[str]) -> Findings:
    """Statuses of every workflow of the run; Running ones not waiting on purpose; failures."""
    findings = Findings()
    async for execution in client.list_workflows(f"TaskQueue = '{task_queue}'"):
        status = execution.status
        findings.statuses[status.name if status else "UNKNOWN"] += 1
        if status == WorkflowExecutionStatus.RUNNING:
            step = execution.typed_search_attributes.get(JOURNEY_STEP)
            if execution.workflow_type in LONG_LIVED_TYPES:
                findings.long_lived += 1
            elif execution.id in abandoned or (
                step and WAITING_STEPS.get(execution.workflow_type) == step
            ):
                findings.waiting_on_purpose += 1
            else:
                findings.running.append(f"{execution.workflow_type} {execution.id}")
        elif status in (
            WorkflowExecutionStatus.FAILED,
            WorkflowExecutionStatus.TERMINATED,
            WorkflowExecutionStatus.TIMED_OUT,
        ):
            findings.failed.append(f"{execution.workflow_type} {execution.id} {status.name}")
    return findings


def check_webhooks(
    settings: Settings, delivered: set[str], types: frozenset[str]
) -> tuple[int, list[str], list[str]]:
    """Subscribed events vs the ids the receiver verified: (events, missing, unknown ids)."""
    with Db(engine_for(settings.database_url)) as db:
        ids = {e.event_id for e in db.exec(select(OutboxEvent)).all() if e.type in types}
    return len(ids), sorted(ids - delivered), sorted(delivered - ids)


async def scan_secrets(
    client: Client, settings: Settings, secrets: set[str]
) -> tuple[int, list[str]]:
    """How many history texts were scanned, and where which secret (a short prefix) occurs."""
    query = f"TaskQueue = '{settings.task_queue}'"
    histories = await history_texts(client, settings.codec_keyring, query)
    # One haystack per place, its texts joined by NUL (no secret holds one, and it is no digit,
    # so a code still stands alone): each secret is one C-speed search instead of one Python
    # loop over ~10^5 texts, which made a 200-customer run's scan take longer than the run.
    places = {
        "history": "\0".join(histories),
        "table": "\0".join(table_texts(settings)),
    }
    found = [
        f"{s[:3]}… in a {where}"
        for s in sorted(secrets)
        for where, haystack in places.items()
        if s and occurs(s, [haystack])
    ]
    return len(histories), found
